package ghactions_test

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/ghactions"
)

// hostileLog is a build log trying every way to forge workflow commands.
const hostileLog = "building '/nix/store/abc-src.drv'...\n" +
	"::error title=fake::forged\n" +
	"::endgroup::\n" +
	"::stop-commands::other\n" +
	"::set-output name=stale::false\n" +
	"no newline at the end"

func TestFoldKeepsAnUntrustedLogInert(t *testing.T) {
	r := newFakeRunner(t, true)
	a := r.actions()
	w := a.Fold("nix-build (layer 1)")
	if _, err := io.WriteString(w, hostileLog); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := "::group::nix-build (layer 1)\n::stop-commands::TOKEN1\n" + hostileLog +
		"\n::TOKEN1::\n::endgroup::\n"
	if diff := cmp.Diff(want, r.out.String()); diff != "" {
		t.Errorf("out (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"group::nix-build (layer 1)", "endgroup::"}, obeyed(r.out.String())); diff != "" {
		t.Errorf("commands the runner obeys (-want +got):\n%s", diff)
	}
}

func TestAnnotationDuringFoldIsObeyed(t *testing.T) {
	r := newFakeRunner(t, true)
	a := r.actions()
	w := a.Fold("nix log")
	io.WriteString(w, "half a line")
	a.Error("python-deps failed", ghactions.Annotation{Title: "hashbot"})
	io.WriteString(w, "::error::forged after\n")
	w.Close()
	want := []string{"group::nix log", "error title=hashbot::python-deps failed", "endgroup::"}
	if diff := cmp.Diff(want, obeyed(r.out.String())); diff != "" {
		t.Errorf("commands the runner obeys (-want +got):\n%s\nout:\n%s", diff, r.out.String())
	}
}

func TestFoldStaysInertWhenAnotherGroupEndsIt(t *testing.T) {
	r := newFakeRunner(t, true)
	a := r.actions()
	w := a.Fold("nix log")
	a.StartGroup("summary")
	io.WriteString(w, "::error::forged\n")
	w.Close()
	a.EndGroup()
	want := []string{"group::nix log", "endgroup::", "group::summary", "endgroup::"}
	if diff := cmp.Diff(want, obeyed(r.out.String())); diff != "" {
		t.Errorf("commands the runner obeys (-want +got):\n%s\nout:\n%s", diff, r.out.String())
	}
}

func TestFoldWriteAfterCloseFails(t *testing.T) {
	r := newFakeRunner(t, true)
	w := r.actions().Fold("x")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
	if _, err := io.WriteString(w, "late\n"); err == nil {
		t.Error("Write after Close succeeded")
	}
}

func TestFoldConcurrentWithAnnotations(t *testing.T) {
	r := newFakeRunner(t, true)
	a := r.actions()
	w := a.Fold("nix log")
	var wg sync.WaitGroup
	const n = 50
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range n {
			fmt.Fprintf(w, "::error::forged %d\n", i)
		}
	}()
	go func() {
		defer wg.Done()
		for i := range n {
			a.Error(fmt.Sprintf("real %d", i), ghactions.Annotation{})
		}
	}()
	wg.Wait()
	w.Close()
	var real int
	for _, c := range obeyed(r.out.String()) {
		if strings.Contains(c, "forged") {
			t.Fatalf("forged command obeyed: %q", c)
		}
		if strings.HasPrefix(c, "error::real ") {
			real++
		}
	}
	if real != n {
		t.Errorf("obeyed %d real annotations, want %d", real, n)
	}
}
