package bot

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// overlap names the FODs whose inputs both the pull request (merge base
// to head) and the base (merge base to tip) changed, each with what
// changed on the base. The FODs and their inputs are the head's
// hashbot.toml's, as fix plans with; the three trees are read as data
// (upstream.LocalFingerprints), never evaluated.
//
// The pull request's side is every FOD whose inputs it changes, not only
// those whose hash hashbot's commit changed: an FOD whose hash came out
// the same on the pull request is as unproven on the merge.
func (rf *refresher) overlap(ctx context.Context, number int, head, mergeBase gitops.Hash) (map[string][]string, error) {
	dir := filepath.Join(rf.tmp, fmt.Sprint(number))
	defer os.RemoveAll(dir)
	for _, d := range []string{"head", "base"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, fmt.Errorf("writing the trees to compare: %w", err)
		}
	}
	ht, err := rf.b.loadCommit(ctx, rf.repo, head, filepath.Join(dir, "head"), "pull request's head")
	if err != nil {
		return nil, err
	}
	cfg := ht.cfg
	headPrints, err := upstream.LocalFingerprints(cfg)
	if err != nil {
		return nil, err
	}
	basePrints, err := rf.prints(ctx, cfg, mergeBase, filepath.Join(dir, "base", filepath.Base(rf.b.opts.Config.Dir)))
	if err != nil {
		return nil, err
	}
	if rf.tipDir == "" {
		tipDir := filepath.Join(rf.tmp, "tip", filepath.Base(rf.b.opts.Config.Dir))
		if err := os.MkdirAll(filepath.Dir(tipDir), 0o755); err != nil {
			return nil, fmt.Errorf("writing the trees to compare: %w", err)
		}
		if err := rf.repo.WriteTree(ctx, rf.tip, tipDir); err != nil {
			return nil, err
		}
		rf.tipDir = tipDir
	}
	tipCfg := *cfg
	tipCfg.Dir = rf.tipDir
	tipPrints, err := upstream.LocalFingerprints(&tipCfg)
	if err != nil {
		return nil, fmt.Errorf("the inputs at the base's tip %.12s: %w", rf.tip, err)
	}
	baseToml, _ := rf.repo.CommitFile(mergeBase, config.FileName)
	tipToml, _ := rf.repo.CommitFile(rf.tip, config.FileName)
	pull := inputsChanged(cfg, baseToml, ht.data, basePrints, headPrints)
	moved := inputsChanged(cfg, baseToml, tipToml, basePrints, tipPrints)
	both := map[string][]string{}
	for name, why := range moved {
		if _, ok := pull[name]; ok {
			both[name] = why
		}
	}
	return both, nil
}

// prints fingerprints cfg's inputs in the tree of commit h, written to dir.
func (rf *refresher) prints(ctx context.Context, cfg *config.Config, h gitops.Hash, dir string) (map[string]string, error) {
	if err := rf.repo.WriteTree(ctx, h, dir); err != nil {
		return nil, err
	}
	at := *cfg
	at.Dir = dir
	p, err := upstream.LocalFingerprints(&at)
	if err != nil {
		return nil, fmt.Errorf("the inputs at %.12s: %w", h, err)
	}
	return p, nil
}

// inputsChanged names the FODs whose inputs differ between two trees, as
// fix's plan does: every FOD when hashbot.toml differs, else
// upstream.LocalStale of their fingerprints.
func inputsChanged(cfg *config.Config, tomlBefore, tomlAfter []byte, before, after map[string]string) map[string][]string {
	if !bytes.Equal(tomlBefore, tomlAfter) {
		all := map[string][]string{}
		for _, name := range cfg.FODNames() {
			all[name] = []string{config.FileName + " changed"}
		}
		return all
	}
	return upstream.LocalStale(cfg, before, after)
}
