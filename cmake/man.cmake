# The reference manual: man/man3 (a page per public function) and man/man7
# (skt(7), the overview, and a page per module). scripts/man.py makes them
# from the header comments through pandoc (make man); they are committed,
# so that installing needs no doc tool.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/man/man3 ${PROJECT_SOURCE_DIR}/man/man7
  DESTINATION ${CMAKE_INSTALL_MANDIR}
  FILES_MATCHING PATTERN "*.3" PATTERN "*.7")
