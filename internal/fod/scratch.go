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
	// borrowed is true when root and repo are the caller's throw-away
	// tree (Request.InPlace), which remove leaves to the caller.
	borrowed bool
	root     string            // temp dir holding the eval files and the copy
	repo     string            // the copy, named like the original (Nix names ./. after it)
	pins     map[string]string // the copy's files of the pins layout, by their path in the repository
	entry    string            // the copy's entry file, or its flake's directory
}

// newScratch copies the repository at dir into a new temporary directory,
// leaving out .git and result symlinks into the Nix store. entryRel is the
// entry file or the flake's directory; pinsRel are the files the pins are
// kept in. With inPlace, dir is already a throw-away tree in a directory
// of its own (Request.InPlace): it is used as it is, not copied again.
func newScratch(dir, entryRel string, pinsRel []string, inPlace bool) (*scratch, error) {
	s := &scratch{borrowed: inPlace, root: filepath.Dir(dir), repo: dir, pins: map[string]string{}}
	if !inPlace {
		root, err := os.MkdirTemp("", "hashbot-scratch-")
		if err != nil {
			return nil, fmt.Errorf("creating scratch directory: %w", err)
		}
		s.root, s.repo = root, filepath.Join(root, filepath.Base(dir))
		if err := copyTree(dir, s.repo); err != nil {
			s.remove()
			return nil, fmt.Errorf("copying %s to a scratch directory: %w", dir, err)
		}
	}
	s.entry = filepath.Join(s.repo, entryRel)
	for _, rel := range pinsRel {
		if err := s.isolatePins(rel); err != nil {
			s.remove()
			return nil, err
		}
	}
	return s, nil
}

// isolatePins makes sure that writing the copy's file rel of the pins
// never writes through a symlink into a file outside the copy (the user's
// own). A file linking into the copy is written where it points; one
// linking out of it is replaced by a file of the copy's own (with the
// original's content); a directory linking out of the repository is
// refused.
func (s *scratch) isolatePins(rel string) error {
	root, err := filepath.EvalSymlinks(s.root)
	if err != nil {
		return fmt.Errorf("resolving the scratch directory: %w", err)
	}
	inside := func(p string) bool {
		rel, err := filepath.Rel(root, p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	path := filepath.Join(s.repo, filepath.FromSlash(rel))
	if real, err := filepath.EvalSymlinks(path); err == nil && inside(real) {
		s.pins[rel] = real
		return nil
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil || !inside(dir) {
		return fmt.Errorf("pins %s: its directory links out of the repository, so hashbot cannot give a scratch copy of it placeholder hashes without writing to the original", rel)
	}
	s.pins[rel] = filepath.Join(dir, filepath.Base(path))
	if err := os.Remove(s.pins[rel]); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("replacing the scratch copy's link %s: %w", rel, err)
	}
	return nil
}

// remove deletes the scratch directory, unless it is the caller's.
func (s *scratch) remove() {
	if !s.borrowed {
		_ = os.RemoveAll(s.root)
	}
}

// writePins writes the files of the pins layout into the scratch copy.
func (s *scratch) writePins(files pins.Files) error {
	for _, rel := range files.Paths() {
		path, ok := s.pins[rel]
		if !ok {
			return fmt.Errorf("writing scratch pins: %s is not a file of the pins layout", rel)
		}
		if err := os.WriteFile(path, files[rel], 0o644); err != nil {
			return fmt.Errorf("writing scratch pins: %w", err)
		}
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
