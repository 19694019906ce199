package upstream

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/logfield"
)

// Limits of a tree read from an upstream archive.
const (
	// treeMaxFile bounds a file read for an input pattern.
	treeMaxFile = 16 << 20
	// treeMaxArchive bounds the whole archive read.
	treeMaxArchive = 1 << 30
)

// tree is what hashbot reads of an upstream repository at a ref in one
// archive download: the files matching the inputs' patterns, and the Go
// files' imports and the go.mod files, for the Go import fingerprints.
type tree struct {
	// files holds the content of every file matching a pattern, by path.
	files map[string][]byte
	// goFiles are the .go files with their imports.
	goFiles []goFile
	// goMods maps the directory of each go.mod to its module path.
	goMods map[string]string
	// locks are the paths of every lock file (config.IsLockFile).
	locks []string
}

// errNoArchive says GitHub has no archive of a ref: it does not exist
// (a deleted tag).
var errNoArchive = errors.New("no such ref (deleted tag?)")

// readTree downloads the archive of owner/name at ref (GitHub's tarball:
// one API request, then the archive host) and reads, streaming, the files
// that match patterns and every Go file's imports.
func (c *Checker) readTree(ctx context.Context, owner, name, ref string, patterns []string) (*tree, error) {
	u, _, err := c.gh.Repositories.GetArchiveLink(ctx, owner, name, github.Tarball,
		&github.RepositoryContentGetOptions{Ref: escapePath(ref)}, 0)
	if er := (*github.ErrorResponse)(nil); errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound {
		err = errNoArchive
	}
	if err != nil {
		return nil, fmt.Errorf("asking for the archive of %s/%s at %s: %w", owner, name, ref, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.gh.Client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading the archive of %s/%s at %s: %w", owner, name, ref, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("downloading the archive of %s/%s at %s: %s: %w", owner, name, ref, resp.Status, errNoArchive)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading the archive of %s/%s at %s: %s", owner, name, ref, resp.Status)
	}
	t, err := scanArchive(io.LimitReader(resp.Body, treeMaxArchive), patterns)
	if err != nil {
		return nil, fmt.Errorf("reading the archive of %s/%s at %s: %w", owner, name, ref, err)
	}
	zerolog.Ctx(ctx).Debug().Str(logfield.Ref, ref).Int("files", len(t.files)).Int("go_files", len(t.goFiles)).Msg("upstream tree read")
	return t, nil
}

// scanArchive reads a gzipped tar whose entries sit under one top
// directory, as GitHub's archives do.
func scanArchive(r io.Reader, patterns []string) (*tree, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	defer gz.Close()
	t := &tree{files: map[string][]byte{}, goMods: map[string]string{}}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		_, p, ok := strings.Cut(h.Name, "/")
		if !ok || p == "" || path.Clean(p) != p || strings.HasPrefix(p, "../") {
			continue
		}
		if config.IsLockFile(p) {
			t.locks = append(t.locks, p)
		}
		wanted := matchesAny(patterns, p)
		isGo := strings.HasSuffix(p, ".go")
		isMod := path.Base(p) == "go.mod"
		if !wanted && !isGo && !isMod {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, treeMaxFile+1))
		if err != nil {
			return nil, err
		}
		if len(data) > treeMaxFile {
			return nil, fmt.Errorf("%s is larger than %d bytes", p, treeMaxFile)
		}
		if wanted {
			t.files[p] = data
		}
		if isMod {
			t.goMods[path.Dir(p)] = modulePath(data)
		}
		if isGo {
			if f, ok := parseGoFile(p, data); ok {
				t.goFiles = append(t.goFiles, f)
			}
		}
	}
}

// matchesAny says whether p matches one of the patterns (path.Match: '*'
// and '?' stay within one path segment).
func matchesAny(patterns []string, p string) bool {
	for _, pat := range patterns {
		if ok, _ := path.Match(pat, p); ok {
			return true
		}
	}
	return false
}

// pathMatch is path.Match, for where a variable is called path.
func pathMatch(pattern, name string) (bool, error) { return path.Match(pattern, name) }
