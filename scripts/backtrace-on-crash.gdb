# gdb commands for scripts/run-tests: run the test process; if a fatal signal stops it, print
# the native backtrace of every thread, then let the signal through so faulthandler prints the
# Python tracebacks too, and exit as the process did (128 + signal, or its exit code).
set pagination off
set confirm off
set print thread-events off
set print inferior-events off
handle SIGPIPE nostop noprint pass
handle SIGCHLD nostop noprint pass
handle SIGALRM nostop noprint pass
handle SIGTERM nostop noprint pass
handle SIGUSR1 nostop noprint pass
handle SIGUSR2 nostop noprint pass
handle SIGINT nostop print pass
run
if $_isvoid($_exitcode)
  echo \n=== the test process got a fatal signal: native backtrace of every thread ===\n
  thread apply all bt 50
  echo === end of native backtrace; the Python traceback (faulthandler) follows ===\n
  handle SIGSEGV nostop noprint pass
  handle SIGABRT nostop noprint pass
  handle SIGBUS nostop noprint pass
  handle SIGFPE nostop noprint pass
  handle SIGILL nostop noprint pass
  continue
end
if !$_isvoid($_exitsignal)
  quit 128 + $_exitsignal
end
quit $_exitcode
