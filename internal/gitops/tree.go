package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// ErrNoFile is matched by the error of CommitFile for a path the commit
// does not have.
var ErrNoFile = errors.New("no such file in the commit")

// CommitFile returns the content of the repository-relative path p in the
// commit h (fetched already, e.g. by FetchBase): a file larger than
// safefile.MaxRepoFile is an error, found before it is read.
func (r *Repo) CommitFile(h Hash, p string) ([]byte, error) {
	c, err := r.repo.CommitObject(h)
	if err != nil {
		return nil, fmt.Errorf("reading commit %s: %w", h, err)
	}
	if _, err := c.File(p); errors.Is(err, object.ErrFileNotFound) {
		return nil, fmt.Errorf("reading %s at %.12s: %w", p, h, ErrNoFile)
	}
	return fileContent(c, p)
}

// WriteTree writes the files of the commit h into dir, which must not
// exist yet: regular files with their executable bit, and symbolic links
// as links. Submodules are left out. It is how a run builds from exactly
// the base it will commit on, whatever the working tree holds.
func (r *Repo) WriteTree(ctx context.Context, h Hash, dir string) error {
	c, err := r.repo.CommitObject(h)
	if err != nil {
		return fmt.Errorf("reading commit %s: %w", h, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return fmt.Errorf("reading the tree of %s: %w", h, err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("writing the tree of %.12s: %w", h, err)
	}
	walker := object.NewTreeWalker(tree, true, nil)
	defer walker.Close()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		name, entry, err := walker.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("walking the tree of %.12s: %w", h, err)
		}
		if err := r.writeEntry(dir, name, entry); err != nil {
			return fmt.Errorf("writing %s of %.12s: %w", name, h, err)
		}
	}
}

func (r *Repo) writeEntry(dir, name string, e object.TreeEntry) error {
	// Tree entries are names git checked (no "..", no absolute path), but
	// the tree comes from a remote: keep every path inside dir regardless.
	to := filepath.Join(dir, filepath.FromSlash(name))
	if rel, err := filepath.Rel(dir, to); err != nil || rel == ".." || filepath.IsAbs(rel) || len(rel) > 2 && rel[:3] == ".."+string(filepath.Separator) {
		return fmt.Errorf("path %q leaves the tree", name)
	}
	switch e.Mode {
	case filemode.Dir:
		return os.MkdirAll(to, 0o755)
	case filemode.Submodule:
		return nil
	}
	blob, err := r.repo.BlobObject(e.Hash)
	if err != nil {
		return err
	}
	rd, err := blob.Reader()
	if err != nil {
		return err
	}
	defer rd.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	if e.Mode == filemode.Symlink {
		target, err := io.ReadAll(io.LimitReader(rd, 4096))
		if err != nil {
			return err
		}
		return os.Symlink(string(target), to)
	}
	perm := os.FileMode(0o644)
	if e.Mode == filemode.Executable {
		perm = 0o755
	}
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rd); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SetBranch points the local branch at the commit h (one FetchBase or
// FetchBranch brought), creating it if needed: the bot's branch starts
// from exactly the base a run computed from. It refuses the branch checked
// out in the working tree.
func (r *Repo) SetBranch(branch string, h Hash) error {
	if err := CheckBranchName(branch); err != nil {
		return err
	}
	if err := r.checkNotCheckedOut(branch); err != nil {
		return err
	}
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(branch), h)); err != nil {
		return fmt.Errorf("resetting branch %s to %.12s: %w", branch, h, err)
	}
	return nil
}

// checkNotCheckedOut refuses branch when the working tree has it checked out.
func (r *Repo) checkNotCheckedOut(branch string) error {
	name := plumbing.NewBranchReferenceName(branch)
	if head, err := r.repo.Storer.Reference(plumbing.HEAD); err == nil &&
		head.Type() == plumbing.SymbolicReference && head.Target() == name {
		return fmt.Errorf("resetting branch %s in %s: %w", branch, r.dir, ErrBranchCheckedOut)
	}
	return nil
}
