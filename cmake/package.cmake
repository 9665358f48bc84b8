# How other builds find skt once it is installed: the CMake package
# (find_package(skt) with the targets skt::skt, skt::skt_static, and,
# where cJSON is found, skt::skt_app, skt::skt_app_static: the component
# skt_app) and pkg-config files (skt, skt_app).
include(CMakePackageConfigHelpers)

set(SKT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/skt)

install(EXPORT sktTargets NAMESPACE skt:: DESTINATION ${SKT_CMAKE_DIR})
install(EXPORT skt_appTargets NAMESPACE skt:: DESTINATION ${SKT_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sktConfig.cmake.in
  ${PROJECT_BINARY_DIR}/sktConfig.cmake INSTALL_DESTINATION ${SKT_CMAKE_DIR})
# 0.x releases may break the API at every minor version; SameMinorVersion
# would say so, but a 0.y program asks for 0.y and gets any 0.y.z.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sktConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/sktConfig.cmake
              ${PROJECT_BINARY_DIR}/sktConfigVersion.cmake
  DESTINATION ${SKT_CMAKE_DIR})

# pkg-config paths are written relative to the folder the files land in,
# so that `cmake --install --prefix` (and a moved tree) gets them right.
file(RELATIVE_PATH SKT_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" SKT_PC_TO_PREFIX "${SKT_PC_TO_PREFIX}")
foreach(pc skt skt_app)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in
    ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
