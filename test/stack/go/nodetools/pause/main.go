// greenlight-pause is the sandbox ("pause") process of every pod on the real
// node: containerd starts it first in each pod, and it holds the pod's
// namespaces open while the app containers come and go. It does nothing else:
// it waits for SIGTERM or SIGINT and exits 0, and reaps any orphaned child it
// inherits (it is pid 1 when a pod shares one process namespace).
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 16)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for received := range signals {
		if received == syscall.SIGCHLD {
			reapChildren()
			continue
		}
		os.Exit(0)
	}
}

// reapChildren collects every exited child without blocking, so none stays a zombie.
func reapChildren() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
