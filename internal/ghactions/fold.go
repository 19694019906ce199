package ghactions

import (
	"errors"
	"io"
)

// errFoldClosed is returned by a folded log's Write after Close.
var errFoldClosed = errors.New("ghactions: write to a closed fold")

// Fold returns a writer that copies a long, untrusted log (Nix's build log)
// into a collapsed group titled name. Workflow command processing is
// switched off (::stop-commands::) with an unguessable token while the log
// is copied, so a line in it such as "::error::" or "::endgroup::" is shown,
// not obeyed. Annotations reported meanwhile through a still take effect.
// Close ends the group. Use one Fold at a time: the runner does not nest
// groups, so starting another group ends this one.
//
// Outside GitHub Actions the writer copies the log to Out unchanged and
// Close does nothing, so callers choose whether to show the log at all.
func (a *Actions) Fold(name string) io.WriteCloser {
	if !a.enabled {
		return nopCloser{a.out}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.startGroupLocked(name)
	a.stopLocked()
	f := &fold{a: a}
	a.fold = f
	return f
}

// fold is the writer returned by Fold inside GitHub Actions.
type fold struct {
	a      *Actions
	closed bool
}

// Write copies p to the log as it is.
func (f *fold) Write(p []byte) (int, error) {
	f.a.mu.Lock()
	defer f.a.mu.Unlock()
	if f.closed {
		return 0, errFoldClosed
	}
	if f.a.stopToken == "" {
		// Someone ended the group under us: keep the log inert anyway.
		f.a.stopLocked()
	}
	n, err := f.a.out.Write(p)
	if n > 0 {
		f.a.midLine = p[n-1] != '\n'
	}
	return n, err
}

// Close switches command processing back on and ends the group.
func (f *fold) Close() error {
	f.a.mu.Lock()
	defer f.a.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	if f.a.fold == f {
		f.a.endGroupLocked()
	} else {
		f.a.resumeLocked()
	}
	return nil
}

// nopCloser is a WriteCloser whose Close does nothing.
type nopCloser struct{ io.Writer }

// Close does nothing.
func (nopCloser) Close() error { return nil }
