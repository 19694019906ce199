package pins

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
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
