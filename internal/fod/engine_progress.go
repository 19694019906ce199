package fod

import (
	"slices"
	"sync"
	"time"
)

// ProgressKind says what a ProgressEvent reports.
type ProgressKind string

// The kinds of progress event.
const (
	// ProgressPhase starts a phase (evaluation, a build layer, verification).
	ProgressPhase ProgressKind = "phase"
	// ProgressStarted is Nix starting to build a target.
	ProgressStarted ProgressKind = "started"
	// ProgressFinished is a target's outcome being known.
	ProgressFinished ProgressKind = "finished"
	// ProgressTick is sent every TickEvery while Nix builds.
	ProgressTick ProgressKind = "tick"
	// ProgressDone ends Compute.
	ProgressDone ProgressKind = "done"
)

// Phase names a step of Compute.
type Phase string

// The phases of Compute.
const (
	PhaseEvaluate Phase = "evaluate"
	PhaseBuild    Phase = "build"
	// PhaseConfirm realises every new hash again, so that Nix itself
	// confirms it.
	PhaseConfirm Phase = "confirm"
	PhaseVerify  Phase = "verify"
)

// ProgressEvent reports what Compute is doing.
type ProgressEvent struct {
	Kind  ProgressKind
	Phase Phase
	// Layer is the build layer (1-based) of PhaseEvaluate and PhaseBuild.
	Layer int
	// Target labels the target a started/finished event is about.
	Target string
	// Building lists the targets Nix is building now.
	Building []string
	// Done and Total count the targets of the current phase.
	Done, Total int
	// Elapsed is the time since Compute started.
	Elapsed time.Duration
}

func (e *Engine) progress(ev ProgressEvent) {
	if e.opts.Progress != nil {
		e.opts.Progress(ev)
	}
}

// buildProgress tracks one nix-build's targets for progress events; the
// stderr callback and the ticker call it from different goroutines.
type buildProgress struct {
	e        *Engine
	phase    Phase
	layer    int
	start    time.Time
	total    int
	mu       sync.Mutex
	building []string
	done     int
	stop     chan struct{}
}

func (e *Engine) startProgress(phase Phase, layer, total int, start time.Time) *buildProgress {
	p := &buildProgress{e: e, phase: phase, layer: layer, start: start, total: total, stop: make(chan struct{})}
	e.progress(ProgressEvent{Kind: ProgressPhase, Phase: phase, Layer: layer, Total: total, Elapsed: time.Since(start)})
	go func() {
		tick := time.NewTicker(e.opts.TickEvery)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
				p.send(ProgressTick, "")
			}
		}
	}()
	return p
}

func (p *buildProgress) started(label string) {
	p.mu.Lock()
	if !slices.Contains(p.building, label) {
		p.building = append(p.building, label)
	}
	p.mu.Unlock()
	p.send(ProgressStarted, label)
}

func (p *buildProgress) finished(label string) {
	p.mu.Lock()
	p.building = slices.DeleteFunc(p.building, func(s string) bool { return s == label })
	p.done++
	p.mu.Unlock()
	p.send(ProgressFinished, label)
}

func (p *buildProgress) send(kind ProgressKind, label string) {
	p.mu.Lock()
	ev := ProgressEvent{Kind: kind, Phase: p.phase, Layer: p.layer, Target: label,
		Building: slices.Clone(p.building), Done: p.done, Total: p.total, Elapsed: time.Since(p.start)}
	p.mu.Unlock()
	p.e.progress(ev)
}

func (p *buildProgress) close() { close(p.stop) }
