package safefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// TempPrefix starts the name of every file ReplaceAll leaves in a working
// tree while it writes (a new file staged next to the one it replaces, and
// the journal), so that Recover knows them after a crash.
const TempPrefix = ".hashbot-tmp-"

// journalName is the journal's file name, in the root's real path: the list
// of renames that finish a ReplaceAll, written once every new file is
// staged. Its presence is the commit point.
const journalName = TempPrefix + "journal.json"

// journalEntry is one rename of a journal.
type journalEntry struct {
	// File is the file replaced: slash-separated, relative to the root's
	// real path, with every symbolic link resolved.
	File string `json:"file"`
	// Temp is the name of its new content, staged in File's directory.
	Temp string `json:"temp"`
}

// ReplaceAll replaces the files under root (data by slash-separated path,
// each Inside root) with their new content, all of them or none: every new
// file is staged first, written in full and synced next to the one it
// replaces (named TempPrefix…), then a journal listing the renames is
// written, and only then is each renamed over its file. A failure before
// the journal leaves every file as it was and removes what was staged; a
// crash after it is finished by Recover, which the next run calls before it
// reads the files. A file's mode is kept (0644 for a new one); a symbolic
// link stays one, the file it leads to is replaced.
func ReplaceAll(root string, files map[string][]byte) (err error) {
	realRoot, err := realDir(root)
	if err != nil {
		return err
	}
	var journal []journalEntry
	defer func() {
		if err != nil {
			for _, e := range journal {
				os.Remove(filepath.Join(realRoot, filepath.Dir(filepath.FromSlash(e.File)), e.Temp))
			}
		}
	}()
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		real, err := Inside(root, rel)
		if err != nil {
			return fmt.Errorf("writing %s: %w", rel, err)
		}
		temp, err := stage(real, files[rel])
		if err != nil {
			return fmt.Errorf("writing %s: %w", rel, err)
		}
		inRoot, _ := filepath.Rel(realRoot, real)
		journal = append(journal, journalEntry{File: filepath.ToSlash(inRoot), Temp: filepath.Base(temp)})
	}
	data, err := json.MarshalIndent(journal, "", "  ")
	if err != nil {
		return err
	}
	temp, err := stage(filepath.Join(realRoot, journalName), append(data, '\n'))
	if err != nil {
		return fmt.Errorf("writing the journal of %s: %w", root, err)
	}
	if err := os.Rename(temp, filepath.Join(realRoot, journalName)); err != nil {
		os.Remove(temp)
		return fmt.Errorf("writing the journal of %s: %w", root, err)
	}
	syncDir(realRoot)
	// The journal is written: the renames are done now or by Recover.
	if err := finish(realRoot, journal); err != nil {
		journal = nil // staged files are the journal's now, not to remove
		return err
	}
	return nil
}

// stage writes data to a new file next to path, synced, with path's mode
// (0644 when there is none), and returns its path.
func stage(path string, data []byte) (temp string, err error) {
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), TempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(mode); err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	return f.Name(), f.Close()
}

// finish renames each staged file of journal over its file (one already
// renamed is skipped), syncs their directories and removes the journal.
func finish(realRoot string, journal []journalEntry) error {
	dirs := map[string]bool{}
	for _, e := range journal {
		dir := filepath.Join(realRoot, filepath.Dir(filepath.FromSlash(e.File)))
		err := os.Rename(filepath.Join(dir, e.Temp), filepath.Join(realRoot, filepath.FromSlash(e.File)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("writing %s: %w (the next hashbot run finishes the write)", e.File, err)
		}
		dirs[dir] = true
	}
	for dir := range dirs {
		syncDir(dir)
	}
	if err := os.Remove(filepath.Join(realRoot, journalName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	syncDir(realRoot)
	return nil
}

// Recover finishes or undoes what a ReplaceAll under root left when it was
// killed, before anything reads the files: with a journal, the renames it
// lists are done (each file must be one of rels, slash-separated paths
// relative to root); then every file named TempPrefix… left in root or in
// the directory of one of rels is removed. It returns the files it
// finished writing. A journal naming any other file is an error that names
// it, and nothing is renamed.
func Recover(root string, rels ...string) (finished []string, err error) {
	realRoot, err := realDir(root)
	if err != nil {
		return nil, err
	}
	allowed := map[string]bool{}
	dirs := map[string]bool{realRoot: true}
	for _, rel := range rels {
		real, err := Inside(root, rel)
		if err != nil {
			continue // not this function's to judge: reading it fails
		}
		inRoot, _ := filepath.Rel(realRoot, real)
		allowed[filepath.ToSlash(inRoot)] = true
		dirs[filepath.Dir(real)] = true
	}
	path := filepath.Join(realRoot, journalName)
	if fi, err := os.Lstat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file: remove it", path)
		}
		data, err := ReadRegular(path, 1<<20)
		if err != nil {
			return nil, err
		}
		var journal []journalEntry
		if err := json.Unmarshal(data, &journal); err != nil {
			return nil, fmt.Errorf("%s: %w: remove it", path, err)
		}
		for _, e := range journal {
			if !allowed[e.File] || !strings.HasPrefix(e.Temp, TempPrefix) || filepath.Base(e.Temp) != e.Temp {
				return nil, fmt.Errorf("%s: the rename of %q to %q is not one hashbot makes: remove it", path, e.Temp, e.File)
			}
			staged := filepath.Join(realRoot, filepath.Dir(filepath.FromSlash(e.File)), e.Temp)
			switch fi, err := os.Lstat(staged); {
			case err == nil && !fi.Mode().IsRegular():
				return nil, fmt.Errorf("%s: %s is not a regular file: remove both", path, staged)
			case err == nil:
				finished = append(finished, e.File)
			}
		}
		if err := finish(realRoot, journal); err != nil {
			return nil, err
		}
	}
	for dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), TempPrefix) && !e.IsDir() {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return finished, fmt.Errorf("removing a stale temporary file: %w", err)
				}
			}
		}
	}
	return finished, nil
}

// realDir is dir's absolute path with every symbolic link resolved.
func realDir(dir string) (string, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", dir, err)
	}
	return filepath.Abs(real)
}

// syncDir makes the renames in dir durable, as far as the system allows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Snapshot keeps the content of the file at rel under root (Inside it), or
// that there is none, and returns restore, which puts that back if the
// file changed since (ReplaceAll; a file that was not there is removed)
// and says whether it did.
func Snapshot(root, rel string) (restore func() (changed bool, err error), err error) {
	real, err := Inside(root, rel)
	if err != nil {
		return nil, err
	}
	old, err := ReadRegular(real, 0)
	existed := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return func() (bool, error) {
		now, err := ReadRegular(real, 0)
		gone := errors.Is(err, fs.ErrNotExist)
		switch {
		case existed && err == nil && bytes.Equal(now, old), !existed && gone:
			return false, nil
		case !existed:
			return true, os.Remove(real)
		}
		return true, ReplaceAll(root, map[string][]byte{rel: old})
	}, nil
}
