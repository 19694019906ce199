package fod

import (
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// recordedLog is a BuildLog writer that remembers what it was given.
type recordedLog struct {
	mu     sync.Mutex
	name   string
	b      strings.Builder
	closed int
}

func (l *recordedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *recordedLog) Close() error { l.closed++; return nil }

func TestComputeCopiesEachNixBuildLogToBuildLog(t *testing.T) {
	testutil.RequireNix(t)
	f := newEngFixture(t)
	var logs []*recordedLog
	e := NewEngine(EngineOptions{Nix: nixcmd.New(nixcmd.Options{}),
		BuildLog: func(phase Phase, layer int) io.WriteCloser {
			l := &recordedLog{name: string(phase)}
			logs = append(logs, l)
			return l
		}})
	rep, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"flat"}})
	if err != nil || !rep.OK() {
		t.Fatalf("Compute = %v, %v", rep, err)
	}
	// One build with the placeholder, one in which Nix confirms the hash.
	if len(logs) != 2 || logs[0].closed != 1 || logs[1].closed != 1 {
		t.Fatalf("%d logs opened (closed %v); want one per nix-build (2), each closed once", len(logs), logs)
	}
	text := logs[0].b.String()
	for _, want := range []string{"building '/nix/store/", "hash mismatch in fixed-output derivation", rep.Results[0].New} {
		if !strings.Contains(text, want) {
			t.Errorf("the build log lacks %q:\n%s", want, text)
		}
	}
	if !strings.HasSuffix(text, "\n") {
		t.Errorf("the build log's lines are not newline-terminated: %q", text)
	}
}
