// Package runlock makes sure only one hashbot run works on a packaging
// repository at a time. The lock is an flock(2), so it is released by the
// kernel when a run crashes: a rerun after a crash picks up without manual
// clean-up. It is keyed by the repository's real path (symbolic links
// resolved) and lives where every run on that repository finds it, whatever
// its --state-dir: in the repository's git directory (.git/hashbot/), or,
// for a directory that is not a git work tree, in the user's cache
// directory.
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
	"strings"
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
func Wait(ctx context.Context, repo, command string, poll time.Duration) (*Lock, error) {
	for {
		l, err := Acquire(repo, command)
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

// Acquire takes the lock for the repository at repo, or returns a
// *HeldError naming the holder. command describes this run.
func Acquire(repo, command string) (*Lock, error) {
	real, err := filepath.EvalSymlinks(repo)
	if err != nil {
		return nil, fmt.Errorf("taking the run lock for %s: %w", repo, err)
	}
	if real, err = filepath.Abs(real); err != nil {
		return nil, fmt.Errorf("taking the run lock for %s: %w", repo, err)
	}
	dir, err := lockDir(real)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating lock directory: %w", err)
	}
	sum := sha256.Sum256([]byte(real))
	path := filepath.Join(dir, hex.EncodeToString(sum[:8])+".lock")
	repo = real
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

// lockDir is where the lock of the repository at real lives: its git
// directory's hashbot/ (found from the work tree or any directory in it;
// a .git file, as a worktree has, names its git directory), else the
// user's cache directory's hashbot/locks.
func lockDir(real string) (string, error) {
	for d := real; ; d = filepath.Dir(d) {
		dotGit := filepath.Join(d, ".git")
		if fi, err := os.Stat(dotGit); err == nil {
			if fi.IsDir() {
				return filepath.Join(dotGit, "hashbot"), nil
			}
			if data, err := os.ReadFile(dotGit); err == nil {
				if gitdir, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:"); ok {
					gitdir = strings.TrimSpace(gitdir)
					if !filepath.IsAbs(gitdir) {
						gitdir = filepath.Join(d, gitdir)
					}
					return filepath.Join(gitdir, "hashbot"), nil
				}
			}
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("taking the run lock: %s is not in a git work tree and there is no user cache directory: %w", real, err)
	}
	return filepath.Join(cache, "hashbot", "locks"), nil
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if l == nil || l.fl == nil {
		return nil
	}
	os.Remove(l.fl.Path() + ".json")
	return l.fl.Unlock()
}
