package upstream

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
)

// Heads is where the upstream and every source are now: the upstream's
// candidate (the newest qualifying release, or its branch's head) and each
// source's rev. It is what `serve --poll` compares between two looks.
type Heads struct {
	// Version is the upstream's candidate version ("" in branch mode).
	Version string
	// Refs maps "upstream" and each source's name to its tag or commit.
	Refs map[string]string
}

// State renders h as one comparable line: "upstream=version/2026.2.2
// nixpkgs=3f1c…", names sorted, upstream first.
func (h Heads) State() string {
	parts := []string{"upstream=" + h.Refs["upstream"]}
	for _, name := range slices.Sorted(maps.Keys(h.Refs)) {
		if name != "upstream" {
			parts = append(parts, name+"="+h.Refs[name])
		}
	}
	return strings.Join(parts, " ")
}

// Heads looks up where the upstream and the sources of cfg are, reading
// no file: one releases listing (or branch) per repository, each a
// conditional request, so a look where nothing moved costs 304s.
func (c *Checker) Heads(ctx context.Context, cfg *config.Config) (Heads, error) {
	h := Heads{Refs: map[string]string{}}
	owner, name := cfg.UpstreamOwnerName()
	if up := cfg.Upstream; up.Branch != "" {
		sha, err := c.branchHead(ctx, owner, name, up.Branch)
		if err != nil {
			return h, err
		}
		h.Refs["upstream"] = sha
	} else {
		rel, err := c.newestRelease(ctx, owner, name, up.TagPrefix, up.IncludePrereleases)
		if err != nil {
			return h, err
		}
		h.Refs["upstream"], h.Version = rel.Tag, rel.Version
	}
	for _, sname := range cfg.SourceNames() {
		src := cfg.Sources[sname]
		sowner, srepo, _ := strings.Cut(src.Repo, "/")
		if src.Branch != "" {
			sha, err := c.branchHead(ctx, sowner, srepo, src.Branch)
			if err != nil {
				return h, fmt.Errorf("source %s: %w", sname, err)
			}
			h.Refs[sname] = sha
			continue
		}
		rel, err := c.newestRelease(ctx, sowner, srepo, src.TagPrefix, src.IncludePrereleases)
		if err != nil {
			return h, fmt.Errorf("source %s: %w", sname, err)
		}
		h.Refs[sname] = rel.Tag
	}
	return h, nil
}
