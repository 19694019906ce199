package nixcmd

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// Runner runs one Nix program to completion.
type Runner interface {
	// Run starts cmd, waits for it and returns its output. A non-zero exit
	// is an *ExitError (the Output is returned as well); a program missing
	// from PATH is a *NotFoundError; a cancelled ctx kills the process group
	// and returns an error wrapping ctx.Err().
	Run(ctx context.Context, cmd Command) (*Output, error)
}

// Command is one invocation of a Nix program.
type Command struct {
	// Name is the program: "nix-build", "nix-instantiate", "nix-store", "nix".
	Name string
	// Args are its arguments.
	Args []string
	// Dir is the working directory; empty means the current one.
	Dir string
	// Env holds KEY=VALUE pairs added to the runner's environment.
	Env []string
	// Stderr, when set, is called with each line of standard error, without
	// its newline, as the line arrives. The slice is reused after the call.
	Stderr func(line []byte)
}

// Output is what a finished program produced.
type Output struct {
	// Stdout is everything written to standard output.
	Stdout []byte
	// StderrTail holds the last lines of standard error.
	StderrTail []string
	// ExitCode is the exit status (0 on success, -1 when killed).
	ExitCode int
	// Duration is the wall time of the run.
	Duration time.Duration
}

// Options configure an Exec runner.
type Options struct {
	// Env is the base environment; nil means the current process's. Only
	// the variables FilterEnv lets through reach Nix.
	Env []string
	// PassEnv names further variables of Env that Nix may see (a build's
	// own impureEnvVars); the GitHub token and the webhook secret never are.
	PassEnv []string
	// TailLines is how many stderr lines errors keep; 0 means 40.
	TailLines int
	// KillGrace is how long a cancelled Nix gets between SIGTERM and
	// SIGKILL to stop its builds; 0 means 5 s.
	KillGrace time.Duration
}

// Exec is the Runner that starts real processes.
type Exec struct {
	opts Options
}

// New returns a Runner starting real Nix programs.
func New(opts Options) *Exec {
	if opts.TailLines <= 0 {
		opts.TailLines = 40
	}
	if opts.KillGrace <= 0 {
		opts.KillGrace = 5 * time.Second
	}
	return &Exec{opts: opts}
}

// maxLine bounds one stderr line handed to the callback; the rest of a
// longer line is dropped (a builder printing megabytes without a newline).
const maxLine = 1 << 20

// Run implements Runner.
func (x *Exec) Run(ctx context.Context, c Command) (*Output, error) {
	path, err := exec.LookPath(c.Name)
	if err != nil {
		return nil, &NotFoundError{Name: c.Name, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("running %s: %w", c.Name, err)
	}
	cmd := exec.Command(path, c.Args...)
	cmd.Dir = c.Dir
	env := x.opts.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(FilterEnv(env, x.opts.PassEnv), c.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("running %s: %w", c.Name, err)
	}
	zerolog.Ctx(ctx).Debug().Str("cmd", c.Name).Strs("args", c.Args).Msg("starting nix")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", c.Name, err)
	}
	pgid := cmd.Process.Pid

	stopKiller := make(chan struct{})
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		select {
		case <-stopKiller:
			return
		case <-ctx.Done():
		}
		// Nix stops its builders on SIGTERM; SIGKILL whatever is left.
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-stopKiller:
		case <-time.After(x.opts.KillGrace):
		}
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}()

	tail := NewTail(x.opts.TailLines)
	readErr := readLines(stderr, func(line []byte) {
		tail.Add(string(line))
		if c.Stderr != nil {
			c.Stderr(line)
		}
	})
	waitErr := cmd.Wait()
	close(stopKiller)
	<-killed

	out := &Output{Stdout: stdout.Bytes(), StderrTail: tail.Lines(), Duration: time.Since(start)}
	out.ExitCode = cmd.ProcessState.ExitCode()
	if ctx.Err() != nil {
		return out, fmt.Errorf("running %s: %w", c.Name, ctx.Err())
	}
	if waitErr != nil {
		var ee *exec.ExitError
		if errors.As(waitErr, &ee) {
			return out, &ExitError{Name: c.Name, Args: c.Args, ExitCode: out.ExitCode, StderrTail: out.StderrTail}
		}
		return out, fmt.Errorf("running %s: %w", c.Name, waitErr)
	}
	if readErr != nil {
		return out, fmt.Errorf("reading %s's stderr: %w", c.Name, readErr)
	}
	return out, nil
}

// readLines calls fn with each line of r (without "\n" or "\r\n"), keeping at
// most maxLine bytes of a line.
func readLines(r io.Reader, fn func([]byte)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte
	inLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || inLong {
			if len(long) < maxLine {
				long = append(long, chunk[:min(len(chunk), maxLine-len(long))]...)
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				inLong = true
				continue
			}
			chunk = long
		}
		if len(chunk) > 0 || err == nil {
			chunk = bytes.TrimSuffix(bytes.TrimSuffix(chunk, []byte("\n")), []byte("\r"))
			fn(chunk)
		}
		long, inLong = long[:0], false
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Tail keeps the last lines added to it, in constant memory.
type Tail struct {
	buf  []string
	next int
	full bool
}

// NewTail returns a Tail keeping n lines (at least one).
func NewTail(n int) *Tail { return &Tail{buf: make([]string, max(n, 1))} }

// Add appends a line, forgetting the oldest one when the Tail is full.
func (t *Tail) Add(line string) {
	t.buf[t.next] = line
	t.next = (t.next + 1) % len(t.buf)
	if t.next == 0 {
		t.full = true
	}
}

// Lines returns the lines kept, oldest first.
func (t *Tail) Lines() []string {
	if !t.full {
		return append([]string(nil), t.buf[:t.next]...)
	}
	return append(append([]string(nil), t.buf[t.next:]...), t.buf[:t.next]...)
}
