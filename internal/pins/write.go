package pins

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/google/renameio/v2"

	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// Save writes p into the working tree at dir, the files it was loaded
// from, after the guard has checked the change (Guard): a fake hash, a
// null where a hash was, a change outside the literals of a Nix file, is
// never written. Every changed file is written in full to a temporary
// file first, and only then is each renamed over its original, so that a
// failure while writing them leaves every file as it was. It returns the
// paths written. s still holds the files as they were loaded. flakeLock,
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
	var pending []*renameio.PendingFile
	defer func() {
		for _, f := range pending {
			f.Cleanup()
		}
	}()
	for _, rel := range files.Paths() {
		if string(files[rel]) == string(s.files[rel]) {
			continue
		}
		path, err := safefile.Inside(dir, rel)
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", rel, err)
		}
		f, err := renameio.NewPendingFile(path, renameio.WithPermissions(0o644), renameio.WithExistingPermissions())
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", rel, err)
		}
		pending = append(pending, f)
		if _, err := f.Write(files[rel]); err != nil {
			return nil, fmt.Errorf("writing %s: %w", rel, err)
		}
		written = append(written, rel)
	}
	for i, f := range pending {
		if err := f.CloseAtomicallyReplace(); err != nil {
			return written[:i], fmt.Errorf("writing %s: %w", written[i], err)
		}
	}
	return written, nil
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

// WriteFile replaces the file at path with data atomically (renameio: a
// temporary file, synced, renamed over the old one), so a crash leaves
// either the old or the new content, never half. The old file's mode is
// kept, and a symlink stays a symlink: the file it points to is replaced.
func WriteFile(path string, data []byte) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	if err := renameio.WriteFile(path, data, 0o644, renameio.WithExistingPermissions()); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
