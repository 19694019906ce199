package pins

import (
	"fmt"
	"os"
	"path/filepath"
)

// Save writes p to the pins file at path (WriteFile) after the guard has
// checked the change from what the file holds now (GuardChange): a fake
// hash, or a null where a hash was, is never written.
func Save(path string, p *Pins) error {
	data := p.Marshal()
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := GuardChange(old, data); err != nil {
		return fmt.Errorf("refusing to write %s: %w", path, err)
	}
	return WriteFile(path, data)
}

// WriteFile replaces the file at path with data atomically: the data goes to
// a temporary file in the same directory, is synced, and is renamed over the
// old file, so a crash leaves either the old or the new content, never half.
// The old file's mode is kept, and a symlink stays a symlink: the file it
// points to is replaced.
func WriteFile(path string, data []byte) (err error) {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	mode := os.FileMode(0o644)
	if fi, statErr := os.Stat(path); statErr == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
