package gitops

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// PinsCommit is what CommitPins commits.
type PinsCommit struct {
	Branch string // the local branch, as left by SetBranch
	// Files are the files the pins are kept in (the pins file, and the Nix
	// files of hashes written inline), by their path relative to the
	// repository root ('/'-separated), with their new content; unchanged
	// ones may be among them.
	Files      map[string][]byte
	Name       string // the upstream name in the subject line
	OldVersion string
	NewVersion string
	Body       string // the list of changed hashes
	// Subject, when set, is the subject line instead of CommitMessage's
	// ("hashbot: update FOD hashes for vendor", on a pull request's
	// branch); control characters become spaces.
	Subject string
	// Author is the commit's author and committer ([git] author); required.
	Author Author
}

// CommitPins commits c.Files on top of c.Branch and moves the branch to
// the new commit, which it returns. The commit is built from the branch
// tip's tree with only those blobs replaced, so nothing else (a dirty
// working tree, a staged file) can land in it, and the working tree and
// index are not touched. Before committing it checks that the new tree
// differs from the old in those files only (what may change inside them is
// the caller's guard's, pins.Stored.Guard). Files equal to the
// branch's give ErrNoChange.
func (r *Repo) CommitPins(ctx context.Context, c PinsCommit) (Hash, error) {
	if err := ctx.Err(); err != nil {
		return ZeroHash, err
	}
	if c.Author.Name == "" || c.Author.Email == "" {
		return ZeroHash, fmt.Errorf("committing pins on %s: no author", c.Branch)
	}
	paths := slices.Sorted(maps.Keys(c.Files))
	if len(paths) == 0 {
		return ZeroHash, fmt.Errorf("committing pins on %s: no file", c.Branch)
	}
	what := strings.Join(paths, ", ")
	parts := map[string][]string{}
	for _, p := range paths {
		split, err := splitRepoPath(p)
		if err != nil {
			return ZeroHash, err
		}
		parts[p] = split
	}
	refName := plumbing.NewBranchReferenceName(c.Branch)
	ref, err := r.repo.Reference(refName, true)
	if err != nil {
		return ZeroHash, fmt.Errorf("committing pins on %s: %w", c.Branch, err)
	}
	parent, err := r.repo.CommitObject(ref.Hash())
	if err != nil {
		return ZeroHash, fmt.Errorf("committing pins on %s: reading %s: %w", c.Branch, ref.Hash(), err)
	}
	old := map[string][]byte{}
	changed := map[string]bool{}
	for _, p := range paths {
		if old[p], err = fileContent(parent, p); err != nil {
			return ZeroHash, fmt.Errorf("committing pins on %s: %w", c.Branch, err)
		}
		if !bytes.Equal(old[p], c.Files[p]) {
			changed[p] = true
		}
	}
	if len(changed) == 0 {
		return ZeroHash, fmt.Errorf("committing %s on %s: %w", what, c.Branch, ErrNoChange)
	}
	treeHash := parent.TreeHash
	for _, p := range paths {
		if !changed[p] {
			continue
		}
		blob, err := r.storeBlob(c.Files[p])
		if err != nil {
			return ZeroHash, err
		}
		if treeHash, err = r.replaceInTree(treeHash, parts[p], blob); err != nil {
			return ZeroHash, fmt.Errorf("committing %s on %s: %w", p, c.Branch, err)
		}
	}
	if err := r.checkOnlyPaths(parent.TreeHash, treeHash, changed); err != nil {
		return ZeroHash, fmt.Errorf("committing %s on %s: %w", what, c.Branch, err)
	}
	sig := object.Signature{Name: c.Author.Name, Email: c.Author.Email, When: time.Now()}
	commit := &object.Commit{
		Author: sig, Committer: sig, TreeHash: treeHash, ParentHashes: []plumbing.Hash{parent.Hash},
		Message: c.message(),
	}
	h, err := r.storeObject(commit)
	if err != nil {
		return ZeroHash, fmt.Errorf("committing %s on %s: %w", what, c.Branch, err)
	}
	if err := r.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(refName, h), ref); err != nil {
		return ZeroHash, fmt.Errorf("committing %s: moving %s to %s: %w", what, c.Branch, h, err)
	}
	return h, nil
}

func splitRepoPath(p string) ([]string, error) {
	clean := path.Clean(p)
	if p == "" || clean != p || path.IsAbs(p) || clean == "." || strings.HasPrefix(clean, "../") || clean == ".." {
		return nil, fmt.Errorf("pins path %q: want a clean path relative to the repository root", p)
	}
	parts := strings.Split(clean, "/")
	for _, part := range parts {
		if strings.EqualFold(part, ".git") {
			return nil, fmt.Errorf("pins path %q: inside .git", p)
		}
	}
	return parts, nil
}

// fileContent reads the file at p in c: pins, a configuration, a lock,
// all read whole and parsed, so one larger than safefile.MaxRepoFile is
// refused before it is read.
func fileContent(c *object.Commit, p string) ([]byte, error) {
	f, err := c.File(p)
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", p, c.Hash, err)
	}
	if f.Size > safefile.MaxRepoFile {
		return nil, fmt.Errorf("reading %s at %s: %d bytes, more than the %d hashbot reads", p, c.Hash, f.Size, safefile.MaxRepoFile)
	}
	rd, err := f.Reader()
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", p, c.Hash, err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", p, c.Hash, err)
	}
	return b, nil
}

type encoder interface {
	Encode(plumbing.EncodedObject) error
}

func (r *Repo) storeObject(o encoder) (plumbing.Hash, error) {
	obj := r.repo.Storer.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.repo.Storer.SetEncodedObject(obj)
}

func (r *Repo) storeBlob(content []byte) (plumbing.Hash, error) {
	obj := r.repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(content)))
	w, err := obj.Writer()
	if err == nil {
		_, err = w.Write(content)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing pins blob: %w", err)
	}
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing pins blob: %w", err)
	}
	return h, nil
}

// replaceInTree returns the hash of a copy of tree treeHash in which the
// existing regular file at parts points to blob, with its mode kept.
func (r *Repo) replaceInTree(treeHash plumbing.Hash, parts []string, blob plumbing.Hash) (plumbing.Hash, error) {
	tree, err := object.GetTree(r.repo.Storer, treeHash)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	entries := append([]object.TreeEntry(nil), tree.Entries...)
	for i := range entries {
		e := &entries[i]
		if e.Name != parts[0] {
			continue
		}
		if len(parts) == 1 {
			if e.Mode != filemode.Regular && e.Mode != filemode.Executable {
				return plumbing.ZeroHash, fmt.Errorf("%s is not a regular file (mode %s)", e.Name, e.Mode)
			}
			e.Hash = blob
		} else {
			if e.Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("%s is not a directory", e.Name)
			}
			if e.Hash, err = r.replaceInTree(e.Hash, parts[1:], blob); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		return r.storeObject(&object.Tree{Entries: entries})
	}
	return plumbing.ZeroHash, fmt.Errorf("%s not found in the base tree", parts[0])
}

// checkOnlyPath refuses a new tree that differs from the old anywhere but p.
func (r *Repo) checkOnlyPaths(oldTree, newTree plumbing.Hash, want map[string]bool) error {
	a, err := object.GetTree(r.repo.Storer, oldTree)
	if err != nil {
		return err
	}
	b, err := object.GetTree(r.repo.Storer, newTree)
	if err != nil {
		return err
	}
	changes, err := object.DiffTree(a, b)
	if err != nil {
		return err
	}
	for _, ch := range changes {
		if ch.From.Name != ch.To.Name || !want[ch.To.Name] {
			other := ch.To.Name
			if other == "" || want[other] {
				other = ch.From.Name
			}
			return &ScopeError{Path: other, N: 1}
		}
	}
	if len(changes) != len(want) {
		return &ScopeError{Path: strings.Join(slices.Sorted(maps.Keys(want)), ", "), N: len(changes)}
	}
	return nil
}

// message is the commit's message: Subject and Body when Subject is set,
// else CommitMessage's.
func (c PinsCommit) message() string {
	if c.Subject == "" {
		return CommitMessage(c.Name, c.OldVersion, c.NewVersion, c.Body)
	}
	if body := strings.TrimSpace(c.Body); body != "" {
		return oneLine(c.Subject) + "\n\n" + body + "\n"
	}
	return oneLine(c.Subject) + "\n"
}
