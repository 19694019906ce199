package upstream

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// change is one upstream input that changed between the pinned and the
// candidate ref.
type change struct {
	reason   string
	old, new []byte
	note     string // why old is nil
}

// changedInputs compares each upstream input at the candidate with its
// previous content: the hash recorded in the pins or, when none is recorded
// (a first run), the file at the pinned ref. The old file is fetched only
// for inputs that changed, to summarise them.
func (c *Checker) changedInputs(ctx context.Context, owner, name string, p *pins.Pins, res *Result,
	paths []string, newFiles map[string]fetched) (map[string]*change, error) {
	var needOld []string
	for _, path := range paths {
		old, ok := p.Input(path)
		if ok && old == res.NewInputs[path] {
			continue
		}
		if !ok && res.PinnedTag == res.CandidateTag {
			continue // same ref, nothing recorded: the pins were made from this file
		}
		needOld = append(needOld, path)
	}
	var oldFiles map[string]fetched
	if res.PinnedTag != "" && res.PinnedTag != res.CandidateTag && len(needOld) > 0 {
		oldFiles = c.readFiles(ctx, owner, name, res.PinnedTag, needOld)
	}
	out := map[string]*change{}
	for _, path := range needOld {
		recorded, haveRecord := p.Input(path)
		ch := &change{reason: path + " changed", new: newFiles[path].data}
		f, fetchedOld := oldFiles[path]
		var missing *MissingFileError
		switch {
		case !fetchedOld && res.PinnedTag == res.CandidateTag:
			ch.note = "the recorded hash differs, but the file at " + res.CandidateTag + " is the only version available to compare"
		case !fetchedOld:
			ch.note = "nothing pinned to compare with"
		case f.err == nil:
			ch.old = f.data
		case errors.As(f.err, &missing) && !missing.RefMissing:
			ch.old = []byte{} // the file is new since the pinned ref
			ch.note = "new since " + res.PinnedTag
		case errors.As(f.err, &missing):
			ch.note = res.PinnedTag + " no longer exists upstream, so there is nothing to compare with"
		default:
			return nil, fmt.Errorf("reading %s at the pinned %s: %w", path, res.PinnedTag, f.err)
		}
		if !haveRecord {
			if ch.old == nil {
				ch.reason = fmt.Sprintf("%s has no recorded hash and %s", path, ch.note)
			} else if pins.SRI(ch.old) == res.NewInputs[path] {
				continue // unchanged since the pinned ref
			}
		} else if len(ch.old) > 0 && pins.SRI(ch.old) != recorded {
			zerolog.Ctx(ctx).Warn().Str("file", path).Str(logfield.Ref, res.PinnedTag).
				Msg("the recorded input hash does not match the file at the pinned ref; summarising against that file anyway")
		}
		out[path] = ch
	}
	return out, nil
}

// staleReasons says why fod is stale; none means it is not.
func staleReasons(fod config.FOD, p *pins.Pins, res *Result, changed map[string]*change, local map[string]string) []string {
	var reasons []string
	for _, in := range fod.Inputs {
		if ch, ok := changed[in]; ok {
			reasons = append(reasons, ch.reason)
		}
	}
	for _, in := range fod.LocalInputs {
		if why, ok := local[in]; ok {
			reasons = append(reasons, why)
		}
	}
	for _, in := range fod.FlakeInputs {
		if why, ok := local[config.FlakeInputKey(in)]; ok {
			reasons = append(reasons, why)
		}
	}
	if fod.LocalGoImports.IsSet() {
		if why, ok := local[config.LocalGoImportsKey(fod.LocalGoImports.Dir)]; ok {
			reasons = append(reasons, why)
		}
	}
	if len(fod.Inputs) == 0 && res.Moved {
		what := "version"
		if res.Rev != "" {
			what = "rev"
		}
		reasons = append(reasons, fmt.Sprintf("%s moved %s -> %s", what, orNone(short(res.Pinned)), short(res.Candidate)))
	}
	if !p.HasFOD(fod.Name) {
		return append(reasons, "no hash in the pins yet")
	}
	for _, sys := range fod.PinSystems() {
		forSys := ""
		if sys != "" {
			forSys = " for " + sys
		}
		h, ok := p.Hash(fod.Name, sys)
		if !ok {
			reasons = append(reasons, "hash not computed yet (null)"+forSys)
			continue
		}
		// A pinned placeholder or garbage is no hash: never "up to date".
		var he *pins.HashError
		if err := pins.CheckHash(pins.HashPath(fod.Name, sys), h); errors.As(err, &he) {
			reasons = append(reasons, fmt.Sprintf("the pinned hash%s is %s", forSys, he.Reason))
		}
	}
	return reasons
}

// summaries summarises each changed file once, naming the FODs using it.
func summaries(cfg *config.Config, changed map[string]*change) []FileSummary {
	var out []FileSummary
	for path, ch := range changed {
		var s FileSummary
		switch {
		case ch.old == nil:
			s = FileSummary{File: path, Format: "lines", Note: "no diff: " + ch.note}
		case len(ch.old) == 0:
			s = FileSummary{File: path, Format: "lines", Note: ch.note}
			s.LinesAdded, _ = lineDiff(nil, ch.new)
		default:
			s = Summarize(path, ch.old, ch.new)
			if ch.note != "" && s.Note == "" {
				s.Note = ch.note
			}
		}
		for _, name := range cfg.FODNames() {
			if cfg.FODs[name].Uses(path) {
				s.FODs = append(s.FODs, name)
			}
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b FileSummary) int {
		switch {
		case a.File < b.File:
			return -1
		case a.File > b.File:
			return 1
		}
		return 0
	})
	return out
}

// short abbreviates a commit sha; versions pass unchanged.
func short(s string) string {
	if len(s) == 40 {
		return s[:12]
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
