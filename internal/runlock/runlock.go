// Package runlock makes sure only one hashbot run works on a packaging
// repository at a time. The lock is an flock(2) on a file in the state
// directory, so it is released by the kernel when a run crashes: a rerun
// after a crash picks up without manual clean-up.
package runlock

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// Holder describes the run that holds a lock.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Command string    `json:"command"`
	Repo    string    `json:"repo"`
	Since   time.Time `json:"since"`
}

// HeldError is returned when another run holds the lock.
type HeldError struct {
	Path   string
	Holder Holder // zero when the holder's note could not be read
}

func (e *HeldError) Error() string {
	h := e.Holder
	if h.PID == 0 {
		return fmt.Sprintf("another hashbot run holds the lock %s", e.Path)
	}
	return fmt.Sprintf("another hashbot run holds the lock %s: %q (pid %d on %s) since %s",
		e.Path, h.Command, h.PID, h.Host, h.Since.Format(time.RFC3339))
}

// Lock is a held run lock.
type Lock struct {
	fl *flock.Flock
}

// Wait takes the lock like Acquire, but while another run holds it, it
// tries again every poll until ctx is done. The webhook server waits: a
// delivery that arrives during a scheduled run is served after it.
func Wait(ctx context.Context, stateDir, repo, command string, poll time.Duration) (*Lock, error) {
	for {
		l, err := Acquire(stateDir, repo, command)
		var held *HeldError
		if !errors.As(err, &held) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the run lock: %w (%w)", ctx.Err(), held)
		case <-time.After(poll):
		}
	}
}

// Acquire takes the lock for repo (an absolute path) in stateDir, or
// returns a *HeldError naming the holder. command describes this run.
func Acquire(stateDir, repo, command string) (*Lock, error) {
	dir := filepath.Join(stateDir, "locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating lock directory: %w", err)
	}
	sum := sha256.Sum256([]byte(repo))
	path := filepath.Join(dir, hex.EncodeToString(sum[:8])+".lock")
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("taking lock %s: %w", path, err)
	}
	if !ok {
		held := &HeldError{Path: path}
		if data, err := os.ReadFile(path + ".json"); err == nil {
			_ = json.Unmarshal(data, &held.Holder)
		}
		return nil, held
	}
	host, _ := os.Hostname()
	note, _ := json.Marshal(Holder{PID: os.Getpid(), Host: host, Command: command, Repo: repo, Since: time.Now().UTC()})
	// The note sits beside the lock file: the lock file itself must not be
	// truncated by a second run that fails to take the lock.
	if err := os.WriteFile(path+".json", note, 0o644); err != nil {
		fl.Unlock()
		return nil, fmt.Errorf("writing lock note: %w", err)
	}
	return &Lock{fl: fl}, nil
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if l == nil || l.fl == nil {
		return nil
	}
	os.Remove(l.fl.Path() + ".json")
	return l.fl.Unlock()
}
