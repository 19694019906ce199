package upstream

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// Options configure a Checker.
type Options struct {
	// Client talks to GitHub (see ghclient.New).
	Client *github.Client
}

// Checker answers "what is stale?" for a packaging repository.
type Checker struct {
	gh *github.Client
}

// New returns a Checker.
func New(opts Options) *Checker {
	return &Checker{gh: opts.Client}
}

// CheckOptions tune one Check.
type CheckOptions struct {
	// Version pins this version instead of the newest release ("" = newest).
	// Ignored in branch mode.
	Version string
	// AllowDowngrade takes a Version older than the pinned one; without it
	// such a Version is a *version.DowngradeError.
	AllowDowngrade bool
	// Sources checks these sources against the rev given (name -> commit
	// or tag, as SourcePin takes it) instead of where they are now: the
	// revs a matrix of `update --source` runs computed against.
	Sources map[string]string
}

// Result is what Check found.
type Result struct {
	// Pinned and Candidate are versions (release mode) or commits (branch
	// mode); PinnedTag and CandidateTag are the refs files were read at.
	Pinned, Candidate       string
	PinnedTag, CandidateTag string
	// Rev is the candidate commit in branch mode, "" otherwise.
	Rev string
	// Moved is true when the candidate differs from the pinned version.
	Moved bool
	// UpToDate is true when nothing moved and nothing is stale.
	UpToDate bool
	// Stale maps each stale FOD to its reasons; FODs that are not stale
	// are absent.
	Stale map[string][]string
	// Summaries describe each changed upstream input file, sorted by file.
	Summaries []FileSummary
	// NewInputs maps every input path (upstream and local) to its SRI hash
	// at the candidate, for the pins' "inputs".
	NewInputs map[string]string
	// ReleaseURL is the candidate release's page ("" without a release);
	// CompareURL shows the upstream diff from the pinned to the candidate ref.
	ReleaseURL, CompareURL string
	// Sources are the sources ([source.*]) whose pin must change, sorted
	// by name; the FODs they feed are stale with their reason.
	Sources []SourceMove
	// WebURL is the GitHub web host of the API checked
	// ("https://github.com", or a GitHub Enterprise Server's), for links.
	WebURL string
	// SourcePins is where every source is (or was checked at, with
	// CheckOptions.Sources), as it would be pinned but for the hash.
	SourcePins map[string]pins.Source
	// Releases are the releases after the pinned version up to and
	// including the candidate, oldest first, and Notes the candidate
	// release's notes (untrusted Markdown): release mode, when the
	// version moved.
	Releases []Release
	Notes    string
	// UnclaimedLocks are the lock files upstream has at the candidate
	// that no FOD reads ([check] ignore-locks aside), when the ref moved.
	UnclaimedLocks []LockFile
	// Advisories are upstream's published security advisories the move
	// from the pinned to the candidate version fixes.
	Advisories []Advisory
	// Warnings say what could not be found out without failing the check
	// (advisories GitHub would not list, say).
	Warnings []string
}

// StaleFODs lists the stale FODs, sorted.
func (r *Result) StaleFODs() []string {
	out := make([]string, 0, len(r.Stale))
	for name := range r.Stale {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Check finds the candidate version and the stale FODs of cfg's repository
// pinned at p.
func (c *Checker) Check(ctx context.Context, cfg *config.Config, p *pins.Pins, opts CheckOptions) (*Result, error) {
	owner, name := cfg.UpstreamOwnerName()
	for _, fod := range cfg.FODNames() {
		if !p.HasFOD(fod) {
			continue // a newly configured FOD: stale, not an error
		}
		if err := p.CheckShape(fod, cfg.FODs[fod].PerSystem()); err != nil {
			return nil, err
		}
	}
	res, err := c.candidate(ctx, cfg, p, opts)
	if err != nil {
		return nil, err
	}
	res.NewInputs = map[string]string{}
	res.Stale = map[string][]string{}
	res.WebURL = ghclient.WebURL(c.gh)

	upstreamPaths, localPaths := inputPaths(cfg)
	newFiles := c.readFiles(ctx, owner, name, res.CandidateTag, upstreamPaths)
	for _, path := range upstreamPaths {
		if err := newFiles[path].err; err != nil {
			return nil, fmt.Errorf("reading inputs at the candidate %s: %w", res.CandidateTag, err)
		}
		res.NewInputs[path] = pins.SRI(newFiles[path].data)
	}
	changed, err := c.changedInputs(ctx, owner, name, p, res, upstreamPaths, newFiles)
	if err != nil {
		return nil, err
	}
	treeReasons, treeFiles, cur, err := c.treeChanges(ctx, cfg, p, res)
	if err != nil {
		return nil, err
	}
	maps.Copy(changed, treeFiles)
	local, err := localChanges(cfg, p, localPaths, res.NewInputs)
	if err != nil {
		return nil, err
	}
	if err := localImportChanges(cfg, p, res.NewInputs, local); err != nil {
		return nil, err
	}
	if err := flakeInputChanges(cfg, p, res.NewInputs, local); err != nil {
		return nil, err
	}
	for _, fod := range cfg.FODNames() {
		reasons := staleReasons(cfg.FODs[fod], p, res, changed, local)
		if reasons = append(reasons, treeReasons[fod]...); len(reasons) > 0 {
			res.Stale[fod] = reasons
		}
	}
	if err := c.checkSources(ctx, cfg, p, opts, res); err != nil {
		return nil, err
	}
	res.Summaries = summaries(cfg, changed)
	c.unclaimedLocks(ctx, cfg, res, cur)
	c.fixedAdvisories(ctx, cfg, res)
	res.UpToDate = !res.Moved && len(res.Stale) == 0 && len(res.Sources) == 0
	if res.Moved && res.PinnedTag != "" {
		res.CompareURL = fmt.Sprintf("%s/%s/%s/compare/%s...%s", ghclient.WebURL(c.gh), owner, name, res.PinnedTag, res.CandidateTag)
	}
	zerolog.Ctx(ctx).Debug().Str(logfield.Pinned, res.Pinned).Str(logfield.Candidate, res.Candidate).Int(logfield.Stale, len(res.Stale)).Msg("upstream checked")
	return res, nil
}

// candidate fills in the pinned and candidate versions and refs.
func (c *Checker) candidate(ctx context.Context, cfg *config.Config, p *pins.Pins, opts CheckOptions) (*Result, error) {
	if !cfg.HasUpstream() {
		return &Result{}, nil // a repository that packages itself: only its own files move
	}
	owner, name := cfg.UpstreamOwnerName()
	up := cfg.Upstream
	if up.Branch != "" {
		sha, err := c.branchHead(ctx, owner, name, up.Branch)
		if err != nil {
			return nil, err
		}
		return &Result{Pinned: p.Rev(), Candidate: sha, PinnedTag: p.Rev(), CandidateTag: sha, Rev: sha,
			Moved: p.Rev() != sha}, nil
	}
	pinned := p.Version()
	if pinned != "" {
		if err := version.Check(p.Name()+": version", pinned); err != nil {
			return nil, err
		}
	}
	if opts.Version != "" && !opts.AllowDowngrade {
		if err := version.CheckDowngrade(opts.Version, pinned); err != nil {
			return nil, err
		}
	}
	pv, _ := version.Parse(pinned)
	var rel *Release
	var after []Release
	if opts.Version != "" {
		var err error
		if rel, err = c.releaseByTag(ctx, owner, name, up.TagPrefix, opts.Version); err != nil {
			return nil, err
		}
		if pinned != "" && pinned != rel.Version {
			// The releases in between cost a listing, made only for a move.
			scan, err := c.scanReleases(ctx, owner, name, up.TagPrefix, up.IncludePrereleases, pv)
			var noRel *NoReleaseError
			if err != nil && !errors.As(err, &noRel) {
				return nil, err
			}
			if scan != nil {
				after = scan.after
			}
		}
	} else {
		scan, err := c.scanReleases(ctx, owner, name, up.TagPrefix, up.IncludePrereleases, pv)
		if err != nil {
			return nil, err
		}
		rel, after = scan.newest, scan.after
		if pinned != "" && rel.Version != pinned && scan.newestV.Compare(pv) < 0 {
			return nil, &PinnedAheadError{Repo: owner + "/" + name, Pinned: pinned, Newest: rel.Version}
		}
	}
	res := &Result{Pinned: pinned, Candidate: rel.Version, CandidateTag: rel.Tag, ReleaseURL: rel.HTMLURL,
		Moved: pinned != rel.Version}
	if pinned != "" {
		res.PinnedTag = up.TagPrefix + pinned
	}
	if res.Moved {
		res.Releases, res.Notes = between(after, rel.Version), rel.Notes
	}
	return res, nil
}

// PinnedAheadError says the pinned version is newer than every qualifying
// release: its release was deleted or turned into a draft or prerelease.
// hashbot never moves a pin backwards on its own; pass a version and
// --allow-downgrade to do so.
type PinnedAheadError struct {
	Repo, Pinned, Newest string
}

func (e *PinnedAheadError) Error() string {
	return fmt.Sprintf("pinned version %s is newer than the newest release of %s (%s): was its release deleted, "+
		"or made a draft or prerelease? hashbot does not downgrade by itself; run with --version %s --allow-downgrade to pin that release",
		e.Pinned, e.Repo, e.Newest, e.Newest)
}

// inputPaths lists the distinct upstream and local input paths, sorted.
func inputPaths(cfg *config.Config) (upstream, local []string) {
	seenU, seenL := map[string]bool{}, map[string]bool{}
	for _, fod := range cfg.FODs {
		for _, in := range fod.Inputs {
			if !seenU[in] && !config.IsPattern(in) {
				seenU[in] = true
				upstream = append(upstream, in)
			}
		}
		for _, in := range fod.LocalInputs {
			if !seenL[in] {
				seenL[in] = true
				local = append(local, in)
			}
		}
	}
	sort.Strings(upstream)
	sort.Strings(local)
	return upstream, local
}

// localChanges hashes the local inputs and says why each changed one is
// stale. An input with no recorded hash counts as changed: the tree it was
// computed from is unknown, and leaving it unrecorded would hide every later
// edit of the recipe.
func localChanges(cfg *config.Config, p *pins.Pins, paths []string, newInputs map[string]string) (map[string]string, error) {
	out := map[string]string{}
	layout := cfg.PinsLayout()
	for _, path := range paths {
		sri, err := layout.RecipeSRI(cfg.Dir, path)
		if err != nil {
			return nil, fmt.Errorf("hashing local input %s (local-inputs in %s): %w", path, config.FileName, err)
		}
		newInputs[path] = sri
		if why := recordedChange(p, path, sri, path+" has no recorded hash in "+cfg.Pins, path+" changed"); why != "" {
			out[path] = why
		}
	}
	return out, nil
}

// recordedChange compares the fingerprint sri of the input key with the
// one the pins record: unrecorded (the tree it was computed from is
// unknown), changed, or "" when it is the same.
func recordedChange(p *pins.Pins, key, sri, unrecorded, changed string) string {
	switch old, ok := p.Input(key); {
	case !ok:
		return unrecorded
	case old != sri:
		return changed
	}
	return ""
}
