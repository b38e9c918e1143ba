// greenlight-relay carries TCP between the host's loopback and the real node's
// network namespace, so that nothing of the node is reachable from the host
// except through 127.0.0.1, and nothing in the namespace reaches the host
// except the listed loopback ports (test/stack/real-nodes.ts starts it).
//
//	greenlight-relay --netns /run/netns/NAME
//	    [--out-of-netns LISTEN=TARGET]...  listen inside the namespace, dial TARGET on the host (loopback only):
//	                                       how the kubelet reaches the API server and containerd the registry
//	    [--into-netns LISTEN=TARGET]...    listen on the host's loopback, dial TARGET inside the namespace:
//	                                       how a person or a test reaches a Service's ClusterIP
//	    [--connect-proxy PATH]             an HTTP CONNECT proxy on a unix socket that dials inside the
//	                                       namespace: the API server's "cluster" egress (logs, exec, port-forward)
//	    [--allow CIDR]...                  destinations allowed inside the namespace (for --into-netns and the proxy)
//
// A LISTEN port of 0 takes a free port. Once every listener is bound it prints
// one JSON line per listener, then {"ready":true}, on stdout.
//
// It works with setns(2) on one locked OS thread: a socket belongs to the
// network namespace of the thread that created it, so a single process can
// listen in one namespace and dial in the other.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const dialTimeout = 5 * time.Second

type forward struct {
	listen string
	target string
}

type forwards []forward

func (f *forwards) String() string { return fmt.Sprint(*f) }

func (f *forwards) Set(value string) error {
	listen, target, ok := strings.Cut(value, "=")
	if !ok {
		return fmt.Errorf("expected LISTEN=TARGET (e.g. 127.0.0.1:0=10.0.0.7:80), got %q", value)
	}
	for _, address := range []string{listen, target} {
		if _, err := netip.ParseAddrPort(address); err != nil {
			return fmt.Errorf("%q: expected IP:PORT: %v", address, err)
		}
	}
	*f = append(*f, forward{listen: listen, target: target})
	return nil
}

type prefixes []netip.Prefix

func (p *prefixes) String() string { return fmt.Sprint(*p) }

func (p *prefixes) Set(value string) error {
	prefix, err := netip.ParsePrefix(value)
	if err != nil {
		return fmt.Errorf("expected a CIDR such as 10.0.0.0/24: %v", err)
	}
	*p = append(*p, prefix.Masked())
	return nil
}

func (p prefixes) contains(address string) bool {
	addrPort, err := netip.ParseAddrPort(address)
	if err != nil {
		return false
	}
	for _, prefix := range p {
		if prefix.Contains(addrPort.Addr()) {
			return true
		}
	}
	return false
}

// namespaces holds the host's network namespace and the node's one open, to switch a thread between them.
type namespaces struct {
	host *os.File
	node *os.File
}

func setns(file *os.File) error { return unix.Setns(int(file.Fd()), unix.CLONE_NEWNET) }

// inNode runs fn on a thread switched into the node's namespace; the sockets fn makes stay there.
func (n namespaces) inNode(fn func() error) error {
	runtime.LockOSThread()
	if err := setns(n.node); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("entering the node's network namespace: %w", err)
	}
	fnErr := fn()
	if err := setns(n.host); err != nil {
		// The thread is stuck in the wrong namespace: no goroutine may run on it again.
		log.Fatalf("leaving the node's network namespace: %v", err)
	}
	runtime.UnlockOSThread()
	return fnErr
}

func (n namespaces) dialNode(target string) (conn net.Conn, err error) {
	err = n.inNode(func() error {
		conn, err = net.DialTimeout("tcp", target, dialTimeout)
		return err
	})
	return conn, err
}

func (n namespaces) listenNode(address string) (listener net.Listener, err error) {
	err = n.inNode(func() error {
		listener, err = net.Listen("tcp", address)
		return err
	})
	return listener, err
}

func dialHost(target string) (net.Conn, error) { return net.DialTimeout("tcp", target, dialTimeout) }

// pipe copies both ways until both sides are done, passing on half-closes.
func pipe(a, b net.Conn) {
	var wg sync.WaitGroup
	copyHalf := func(dst, src net.Conn) {
		defer wg.Done()
		_, _ = io.Copy(dst, src)
		if tcp, ok := dst.(*net.TCPConn); ok {
			_ = tcp.CloseWrite()
		} else {
			_ = dst.Close()
		}
	}
	wg.Add(2)
	go copyHalf(a, b)
	go copyHalf(b, a)
	wg.Wait()
	_ = a.Close()
	_ = b.Close()
}

func serve(listener net.Listener, name string, dial func() (net.Conn, error)) {
	for {
		conn, err := listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			log.Printf("%s: accept: %v", name, err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		go func() {
			upstream, err := dial()
			if err != nil {
				log.Printf("%s: %v", name, err)
				_ = conn.Close()
				return
			}
			pipe(conn, upstream)
		}()
	}
}

// connectProxy answers HTTP CONNECT requests by dialing inside the node's namespace.
type connectProxy struct {
	ns      namespaces
	allowed prefixes
}

func (p connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "only CONNECT is served here", http.StatusMethodNotAllowed)
		return
	}
	target := r.Host
	if !p.allowed.contains(target) {
		http.Error(w, fmt.Sprintf("%s is outside the node's networks", target), http.StatusForbidden)
		return
	}
	upstream, err := p.ns.dialNode(target)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		_ = upstream.Close()
		http.Error(w, "cannot take over the connection", http.StatusInternalServerError)
		return
	}
	conn, buffered, err := hijacker.Hijack()
	if err != nil {
		_ = upstream.Close()
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		_ = conn.Close()
		_ = upstream.Close()
		return
	}
	if err := flushBuffered(buffered.Reader, upstream); err != nil {
		_ = conn.Close()
		_ = upstream.Close()
		return
	}
	pipe(conn, upstream)
}

// flushBuffered passes on bytes the client sent right after its CONNECT request, before the takeover.
func flushBuffered(reader *bufio.Reader, upstream net.Conn) error {
	if reader.Buffered() == 0 {
		return nil
	}
	early, err := reader.Peek(reader.Buffered())
	if err != nil {
		return err
	}
	_, err = upstream.Write(early)
	return err
}

type bound struct {
	Direction string `json:"direction"`
	Listen    string `json:"listen"`
	Target    string `json:"target"`
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	var outOf, into forwards
	var allowed prefixes
	netnsPath := flag.String("netns", "", "path of the node's network namespace (e.g. /run/netns/NAME)")
	proxySocket := flag.String("connect-proxy", "", "unix socket for an HTTP CONNECT proxy into the namespace")
	flag.Var(&outOf, "out-of-netns", "LISTEN=TARGET: listen inside the namespace, dial a loopback TARGET on the host")
	flag.Var(&into, "into-netns", "LISTEN=TARGET: listen on the host's loopback, dial TARGET inside the namespace")
	flag.Var(&allowed, "allow", "CIDR the relay may dial inside the namespace (repeatable)")
	flag.Parse()
	if *netnsPath == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*netnsPath, *proxySocket, outOf, into, allowed); err != nil {
		fmt.Fprintf(os.Stderr, "greenlight-relay: %v\n", err)
		os.Exit(1)
	}
}

func run(netnsPath, proxySocket string, outOf, into forwards, allowed prefixes) error {
	if err := checkForwards(outOf, into, allowed); err != nil {
		return err
	}
	host, err := os.Open("/proc/self/ns/net")
	if err != nil {
		return err
	}
	node, err := os.Open(netnsPath)
	if err != nil {
		return fmt.Errorf("opening the node's network namespace: %w", err)
	}
	ns := namespaces{host: host, node: node}

	var listeners []bound
	for _, f := range outOf {
		listener, err := ns.listenNode(f.listen)
		if err != nil {
			return fmt.Errorf("listening on %s inside the namespace: %w", f.listen, err)
		}
		target := f.target
		go serve(listener, "out-of-netns "+target, func() (net.Conn, error) { return dialHost(target) })
		listeners = append(listeners, bound{"out-of-netns", listener.Addr().String(), target})
	}
	for _, f := range into {
		listener, err := net.Listen("tcp", f.listen)
		if err != nil {
			return fmt.Errorf("listening on %s: %w", f.listen, err)
		}
		target := f.target
		go serve(listener, "into-netns "+target, func() (net.Conn, error) { return ns.dialNode(target) })
		listeners = append(listeners, bound{"into-netns", listener.Addr().String(), target})
	}
	if proxySocket != "" {
		_ = os.Remove(proxySocket) // a socket left by a killed relay
		listener, err := net.Listen("unix", proxySocket)
		if err != nil {
			return fmt.Errorf("listening on %s: %w", proxySocket, err)
		}
		server := &http.Server{Handler: connectProxy{ns: ns, allowed: allowed}, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = server.Serve(listener) }()
		listeners = append(listeners, bound{"connect-proxy", proxySocket, strings.Join(prefixStrings(allowed), ",")})
	}
	encoder := json.NewEncoder(os.Stdout)
	for _, l := range listeners {
		_ = encoder.Encode(l)
	}
	_ = encoder.Encode(map[string]bool{"ready": true})

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	if proxySocket != "" {
		_ = os.Remove(proxySocket)
	}
	return nil
}

// checkForwards keeps the relay to its purpose: the host side is always loopback, the
// namespace side only the networks the caller allowed.
func checkForwards(outOf, into forwards, allowed prefixes) error {
	for _, f := range outOf {
		if !netip.MustParseAddrPort(f.target).Addr().IsLoopback() {
			return fmt.Errorf("--out-of-netns target %s: only loopback addresses on the host", f.target)
		}
	}
	for _, f := range into {
		if !netip.MustParseAddrPort(f.listen).Addr().IsLoopback() {
			return fmt.Errorf("--into-netns listen address %s: only loopback addresses on the host", f.listen)
		}
		if !allowed.contains(f.target) {
			return fmt.Errorf("--into-netns target %s is not in an --allow network", f.target)
		}
	}
	return nil
}

func prefixStrings(p prefixes) []string {
	out := make([]string, len(p))
	for i, prefix := range p {
		out[i] = prefix.String()
	}
	return out
}
