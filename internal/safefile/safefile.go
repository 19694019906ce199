// Package safefile reads the files hashbot is pointed at without being led
// astray by them: only regular files are read (a FIFO, device or directory
// in a file's place is an error, not a hang), and a path meant to be inside
// a directory stays inside it, symbolic links included.
//
// ReplaceAll writes several files all or none, Recover finishes one a crash
// interrupted, and Snapshot puts a file back as it was.
//
// It imports no other hashbot package, so that every package may use it.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// DefaultMax bounds ReadRegular: hashbot's inputs (hashbot.toml, pins, lock
// files, results) are far smaller.
const DefaultMax = 256 << 20

// MaxRepoFile bounds the files of a repository that hashbot parses and
// edits, from the working tree or from a commit: the Nix files its
// literals are in (nixlit refuses a larger one), the JSON pins, a
// flake.lock, and every file `hashbot init` looks for hashes in. 4 MiB is
// over ten times the largest generated yarn.nix or node2nix file met, and
// nixlit reads it in well under a second.
const MaxRepoFile = 4 << 20

// ReadRegular reads the regular file at path, following symbolic links, up
// to max bytes (0 means DefaultMax). Anything else at path is an error that
// names what it is, found before anything could block on it.
func ReadRegular(path string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMax
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	// O_NONBLOCK: were a FIFO put there since the Stat, opening it must
	// not wait for a writer. It changes nothing for a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	return data, nil
}

func regular(path string, fi os.FileInfo) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return fmt.Errorf("%s is a directory, not a file", path)
	case m&os.ModeNamedPipe != 0:
		return fmt.Errorf("%s is a named pipe (FIFO), not a regular file", path)
	case m&os.ModeSocket != 0:
		return fmt.Errorf("%s is a socket, not a regular file", path)
	case m&os.ModeDevice != 0:
		return fmt.Errorf("%s is a device, not a regular file", path)
	}
	return fmt.Errorf("%s is not a regular file (%s)", path, m.Type())
}

// ErrOutside is matched by the error of Inside for a path that leads out of
// its root.
var ErrOutside = errors.New("leads outside the repository")

// Inside returns the real path of rel (relative, slash-separated) under
// root, with every symbolic link on the way resolved, and an error wrapping
// ErrOutside when it is not inside root's own real path. A rel that does
// not exist yet is resolved as far as it exists.
func Inside(root, rel string) (string, error) {
	if filepath.IsAbs(rel) || rel == "" {
		return "", fmt.Errorf("%q: want a path relative to the repository", rel)
	}
	realRoot, err := realDir(root)
	if err != nil {
		return "", err
	}
	joined := filepath.Join(realRoot, filepath.FromSlash(rel))
	resolved, err := evalExisting(joined)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", rel, err)
	}
	if !within(realRoot, resolved) {
		return "", fmt.Errorf("%s (%s): %w", rel, resolved, ErrOutside)
	}
	return resolved, nil
}

// evalExisting resolves the symbolic links of the longest part of p that
// exists and appends the rest.
func evalExisting(p string) (string, error) {
	rest := ""
	for cur := p; ; {
		real, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
