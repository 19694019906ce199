package webhook

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// rawPost writes a delivery's request line and headers, announcing
// contentLength bytes of body, and the first chunk of the body only; it
// returns the status line the server answers with, if it answers within
// the timeout without the rest of the body.
func rawPost(t *testing.T, addr string, header map[string]string, contentLength int, chunk string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "POST /webhook HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", addr, contentLength)
	for k, v := range header {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	b.WriteString("\r\n" + chunk)
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "no answer: " + err.Error()
	}
	return strings.TrimSpace(line)
}

// TestUnsignedDeliveryIsRefusedBeforeItsBodyIsRead announces 10 MB and
// sends a few bytes: without a well-formed signature the answer is 401 at
// once, the rest of the body never awaited.
func TestUnsignedDeliveryIsRefusedBeforeItsBodyIsRead(t *testing.T) {
	s := startServer(t, testOptions(newFakeRunner(false), io.Discard))
	addr := strings.TrimPrefix(s.url, "http://")
	for name, header := range map[string]map[string]string{
		"no signature":        {"X-GitHub-Event": "release"},
		"sha1 signature":      {"X-GitHub-Event": "release", signatureHeader: "sha1=0123456789abcdef0123456789abcdef01234567"},
		"too short to be one": {"X-GitHub-Event": "release", signatureHeader: "sha256=abcd"},
	} {
		t.Run(name, func(t *testing.T) {
			if got := rawPost(t, addr, header, 10<<20, "{"); !strings.Contains(got, " 401 ") {
				t.Errorf("answer %q, want 401 without the body", got)
			}
		})
	}
}

// TestBodiesInFlightAreBounded holds the only body slot with a slow signed
// delivery: the next signed one waits BodySlotWait, then is answered 503
// before its body is read.
func TestBodiesInFlightAreBounded(t *testing.T) {
	logs := &syncBuffer{}
	opts := testOptions(newFakeRunner(false), logs)
	opts.MaxBodiesInFlight = 1
	opts.BodySlotWait = 100 * time.Millisecond
	s := startServer(t, opts)
	addr := strings.TrimPrefix(s.url, "http://")
	signed := map[string]string{"X-GitHub-Event": "release", signatureHeader: "sha256=" + strings.Repeat("ab", 32)}
	// The slow one: headers and a first byte, then nothing. It holds the
	// slot once the server answers nothing within a moment.
	var slow net.Conn
	for deadline := time.Now().Add(5 * time.Second); slow == nil; {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "POST /webhook HTTP/1.1\r\nHost: %s\r\nContent-Length: 1000\r\n%s: %s\r\nX-GitHub-Event: release\r\n\r\n{",
			addr, signatureHeader, signed[signatureHeader])
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); err != nil && os.IsTimeout(err) {
			slow = c
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("the slow delivery never held the slot; server log:\n%s", logs)
		}
	}
	defer slow.Close()
	if got := rawPost(t, addr, signed, 1000, strings.Repeat(" ", 1000)); !strings.Contains(got, " 503 ") {
		t.Fatalf("answer %q, want 503 while the slot is held; server log:\n%s", got, logs)
	}
}

// floodEnv runs the test binary as a webhook server (TestMain's helper
// mode) so that its memory can be measured on its own.
const floodEnv = "HASHBOT_WEBHOOK_FLOOD_SERVER"

func TestMain(m *testing.M) {
	if addrFile := os.Getenv(floodEnv); addrFile != "" {
		os.Exit(runFloodServer(addrFile))
	}
	os.Exit(m.Run())
}

// runFloodServer serves webhooks with the default limits on loopback and
// writes its address to addrFile; it runs until killed.
func runFloodServer(addrFile string) int {
	s, err := New(Options{Secret: []byte(testSecret), UpstreamRepo: testUpstream, TagPrefix: testPrefix,
		Runner: newFakeRunner(false), Log: zerolog.Nop()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.WriteFile(addrFile, []byte(ln.Addr().String()), 0o644); err != nil {
		return 1
	}
	if err := s.Serve(context.Background(), ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestFloodOfUnsignedBodiesStaysSmall sends 200 unsigned 10 MB deliveries
// at once, and 50 with a well-formed but wrong signature, to a server in a
// process of its own: its peak resident memory stays under 100 MB.
func TestFloodOfUnsignedBodiesStaysSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 2.5 GB over loopback")
	}
	addrFile := t.TempDir() + "/addr"
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), floodEnv+"="+addrFile)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == ""; time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			addr = string(b)
		} else if time.Now().After(deadline) {
			t.Fatal("the server did not start")
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, DisableKeepAlives: true}, Timeout: 60 * time.Second}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	post := func(signature string) {
		defer wg.Done()
		// The body is made as it is sent: the client holds no 10 MB.
		body := io.LimitReader(repeatReader('a'), 10<<20)
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhook", body)
		req.ContentLength = 10 << 20
		req.Header.Set("X-GitHub-Event", "release")
		if signature != "" {
			req.Header.Set(signatureHeader, signature)
		}
		resp, err := client.Do(req)
		code := 0
		if err == nil {
			code = resp.StatusCode
			resp.Body.Close()
		}
		mu.Lock()
		codes[code]++
		mu.Unlock()
	}
	for i := range 250 {
		wg.Add(1)
		sig := ""
		if i%5 == 0 {
			sig = "sha256=" + strings.Repeat("0f", 32)
		}
		go post(sig)
	}
	wg.Wait()
	peak := peakRSS(t, cmd.Process.Pid)
	t.Logf("answers %v; server peak RSS %d MB", codes, peak>>20)
	if peak > 100<<20 {
		t.Errorf("the server's peak resident memory is %d MB, want under 100 MB", peak>>20)
	}
	// The server closes a refused delivery's connection without reading
	// its body: the client may see that (0) before the 401.
	if codes[http.StatusUnauthorized]+codes[0] < 200 || codes[http.StatusAccepted]+codes[http.StatusOK] > 0 {
		t.Errorf("answers %v: want every unsigned one refused (401, or the connection closed) and none accepted", codes)
	}
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// peakRSS reads a process's peak resident set size (VmHWM).
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skipf("cannot read the server's memory: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}
