package fod

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/pins"
)

// scratch is a throw-away copy of the packaging repo. Placeholder hashes
// are written only here, never to the user's tree.
type scratch struct {
	root  string // temp dir holding the eval files and the copy
	repo  string // the copy, named like the original (Nix names ./. after it)
	pins  string // the copy's pins file
	entry string // the copy's entry file
}

// newScratch copies the repository at dir into a new temporary directory,
// leaving out .git and result symlinks into the Nix store.
func newScratch(dir, entryRel, pinsRel string) (*scratch, error) {
	root, err := os.MkdirTemp("", "hashbot-scratch-")
	if err != nil {
		return nil, fmt.Errorf("creating scratch directory: %w", err)
	}
	s := &scratch{root: root, repo: filepath.Join(root, filepath.Base(dir))}
	s.pins = filepath.Join(s.repo, pinsRel)
	s.entry = filepath.Join(s.repo, entryRel)
	if err := copyTree(dir, s.repo); err != nil {
		s.remove()
		return nil, fmt.Errorf("copying %s to a scratch directory: %w", dir, err)
	}
	if err := s.isolatePins(pinsRel); err != nil {
		s.remove()
		return nil, err
	}
	return s, nil
}

// isolatePins makes sure that writing the copy's pins never writes through
// a symlink into a file outside the copy (the user's own pins). A pins file
// linking into the copy is written where it points; one linking out of it
// is replaced by a file of the copy's own; a pins directory linking out of
// the repository is refused.
func (s *scratch) isolatePins(pinsRel string) error {
	root, err := filepath.EvalSymlinks(s.root)
	if err != nil {
		return fmt.Errorf("resolving the scratch directory: %w", err)
	}
	inside := func(p string) bool {
		rel, err := filepath.Rel(root, p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	if real, err := filepath.EvalSymlinks(s.pins); err == nil && inside(real) {
		s.pins = real
		return nil
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(s.pins))
	if err != nil || !inside(dir) {
		return fmt.Errorf("pins %s: its directory links out of the repository, so hashbot cannot give a scratch copy of it placeholder hashes without writing to the original", pinsRel)
	}
	s.pins = filepath.Join(dir, filepath.Base(s.pins))
	if err := os.Remove(s.pins); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("replacing the scratch copy's link %s: %w", pinsRel, err)
	}
	return nil
}

// remove deletes the scratch directory.
func (s *scratch) remove() { _ = os.RemoveAll(s.root) }

// writePins writes p as the scratch copy's pins file.
func (s *scratch) writePins(p *pins.Pins) error {
	if err := os.WriteFile(s.pins, p.Marshal(), 0o644); err != nil {
		return fmt.Errorf("writing scratch pins: %w", err)
	}
	return nil
}

// copyTree copies regular files, directories and symlinks from src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			if d.Name() == ".git" && path != src {
				return filepath.SkipDir
			}
			return os.MkdirAll(to, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			if strings.HasPrefix(link, "/nix/store/") {
				return nil // a result link: not part of the recipe
			}
			return os.Symlink(link, to)
		case d.Type().IsRegular():
			return copyFile(path, to)
		default:
			return nil // sockets, fifos: nothing Nix reads
		}
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
