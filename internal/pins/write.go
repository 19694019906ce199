package pins

import (
	"fmt"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// Save writes p into the working tree at dir, the files it was loaded
// from, after the guard has checked the change (Guard): a fake hash, a
// null where a hash was, a change outside the literals of a Nix file, is
// never written. The changed files are written all or none
// (safefile.ReplaceAll: each staged next to its original, then all renamed;
// Layout.Recover finishes what a crash interrupted). It returns the paths
// written. s still holds the files as they were loaded. flakeLock,
// when not nil, is a new flake.lock of the layout's (FlakeLock) written
// with them: the one the hashes were computed with.
func (s *Stored) Save(dir string, p *Pins, flakeLock []byte) (written []string, err error) {
	files, err := s.Render(p)
	if err != nil {
		return nil, err
	}
	if flakeLock != nil {
		if s.layout.FlakeLock == "" {
			return nil, &GuardError{Path: "flake.lock", Reason: "no [source] is a flake input: a flake.lock is not the pins'"}
		}
		files[s.layout.FlakeLock] = flakeLock
	}
	if err := s.Guard(files); err != nil {
		return nil, fmt.Errorf("refusing to write %s: %w", strings.Join(files.Paths(), ", "), err)
	}
	changed := map[string][]byte{}
	for _, rel := range files.Paths() {
		if string(files[rel]) != string(s.files[rel]) {
			changed[rel] = files[rel]
			written = append(written, rel)
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	if err := safefile.ReplaceAll(dir, changed); err != nil {
		return nil, err
	}
	return written, nil
}

// Recover finishes or undoes a Save into the working tree at dir that a
// crash interrupted (safefile.Recover), before the layout's files are read
// there: it returns the files it finished writing.
func (l Layout) Recover(dir string) ([]string, error) {
	rels := l.Paths()
	if l.FlakeLock != "" {
		rels = append(rels, l.FlakeLock)
	}
	return safefile.Recover(dir, rels...)
}

// ReadTree reads the files of a layout from the working tree at dir: each
// a regular file inside it, after every symbolic link, of at most
// safefile.MaxRepoFile bytes.
func ReadTree(dir string) func(path string) ([]byte, error) {
	return func(rel string) ([]byte, error) {
		real, err := safefile.Inside(dir, rel)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		return safefile.ReadRegular(real, safefile.MaxRepoFile)
	}
}
