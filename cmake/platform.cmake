# The platform: which folder of src/ completes the portable sources.
#
#   linux  epoll, eventfd, pidfd, accept4, sendmmsg/recvmmsg, sendfile,
#          splice, the Linux address families and credentials
#   posix  only what POSIX.1-2008 has: poll and select, a self-pipe, a
#          pipe per forked child, fcntl after each new fd, SIGPIPE held
#          around each send; it builds and is tested on Linux too
#
# The default is linux where the system has what src/linux/ uses, else
# posix. docs/porting.md says what a new platform provides.
include(CheckSymbolExists)

set(CMAKE_REQUIRED_DEFINITIONS -D_GNU_SOURCE)
check_symbol_exists(epoll_create1 sys/epoll.h SKT_HAVE_EPOLL)
check_symbol_exists(eventfd sys/eventfd.h SKT_HAVE_EVENTFD)
check_symbol_exists(SYS_pidfd_open sys/syscall.h SKT_HAVE_PIDFD_OPEN)
check_symbol_exists(accept4 sys/socket.h SKT_HAVE_ACCEPT4)
check_symbol_exists(sendmmsg sys/socket.h SKT_HAVE_SENDMMSG)
check_symbol_exists(sendfile sys/sendfile.h SKT_HAVE_SENDFILE)
unset(CMAKE_REQUIRED_DEFINITIONS)

if(SKT_HAVE_EPOLL AND SKT_HAVE_EVENTFD AND SKT_HAVE_PIDFD_OPEN AND
   SKT_HAVE_ACCEPT4 AND SKT_HAVE_SENDMMSG AND SKT_HAVE_SENDFILE)
  set(SKT_PLATFORM_DEFAULT linux)
else()
  set(SKT_PLATFORM_DEFAULT posix)
endif()
set(SKT_PLATFORM ${SKT_PLATFORM_DEFAULT} CACHE STRING
    "The platform folder of src/ to build: linux or posix")
set_property(CACHE SKT_PLATFORM PROPERTY STRINGS linux posix)

if(SKT_PLATFORM STREQUAL "linux")
  if(NOT SKT_PLATFORM_DEFAULT STREQUAL "linux")
    message(FATAL_ERROR "SKT_PLATFORM=linux needs epoll, eventfd, "
            "pidfd_open, accept4, sendmmsg and sendfile; use "
            "-DSKT_PLATFORM=posix")
  endif()
elseif(NOT SKT_PLATFORM STREQUAL "posix")
  message(FATAL_ERROR "SKT_PLATFORM=${SKT_PLATFORM}: skt has the platforms "
          "linux and posix (docs/porting.md says how to add one)")
endif()
message(STATUS "skt platform: ${SKT_PLATFORM}")

# The feature macros. Portable sources see POSIX.1-2008 and the
# extensions that the BSDs and macOS show by default (glibc's
# _DEFAULT_SOURCE: BSD socket options, NI_MAXHOST, MAP_ANONYMOUS), never
# GNU's; a platform's own files may ask for more.
set(SKT_PORTABLE_DEFINITIONS _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
if(SKT_PLATFORM STREQUAL "linux")
  set(SKT_PLATFORM_DEFINITIONS _GNU_SOURCE)
else()
  set(SKT_PLATFORM_DEFINITIONS ${SKT_PORTABLE_DEFINITIONS})
endif()

# Every file that includes src/internal.h learns the platform from this
# (its platform.h supplies the inline parts of the system-call layer).
if(SKT_PLATFORM STREQUAL "posix")
  add_compile_definitions(SKT_PLATFORM_POSIX)
endif()
