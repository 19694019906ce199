package cli

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/cobra"
)

// testFactory is a factory over buffers with the environment vars (and
// nothing of the process's): it builds nothing until a run asks for it.
func testFactory(vars map[string]string) (f *factory, stdout, stderr *bytes.Buffer) {
	if vars == nil {
		vars = map[string]string{}
	}
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	return newFactory(environment{vars: vars}, strings.NewReader(""), stdout, stderr), stdout, stderr
}

// runFlags parses args with the command newCmd makes and returns the
// options it would run with (nil when it refused them) and its error. The
// run function is a stub, so nothing runs and nothing is built.
func runFlags[O any](t *testing.T, newCmd func(*factory, func(*O) error) *cobra.Command, args []string) (*factory, *O, error) {
	t.Helper()
	f, _, _ := testFactory(nil)
	var got *O
	cmd := newCmd(f, func(opts *O) error {
		got = opts
		return nil
	})
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	err := cmd.Execute()
	return f, got, err
}

// flagCase is one row of a command's flag table: the arguments and either
// the options the command runs with or the error it refuses them with.
type flagCase[O any] struct {
	name    string
	args    []string
	want    O
	wantErr string // a substring; the error must also be a usage error when wantUsage
	// wantUsage says the command itself refused the value (exit 2); cobra's
	// own refusals become usage errors in Main, the root's flag error func.
	wantUsage bool
}

// testFlags runs a command's flag table. The options' IO and Factory must
// be the factory's; every other field is compared with want.
func testFlags[O any](t *testing.T, newCmd func(*factory, func(*O) error) *cobra.Command, tests []flagCase[O]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, got, err := runFlags(t, newCmd, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				if tt.wantUsage && exitCode(err) != ExitUsage {
					t.Errorf("exit code %d, want %d (usage)", exitCode(err), ExitUsage)
				}
				if got != nil {
					t.Errorf("the run function was called with %+v after the error", *got)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got == nil {
				t.Fatal("the run function was not called")
			}
			deps := checkDeps(t, f, got)
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(*got, deps...)); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// checkDeps checks that the options' IO and Factory, those they have, are
// the factory's, and returns the names of those fields.
func checkDeps(t *testing.T, f *factory, opts any) []string {
	t.Helper()
	v := reflect.ValueOf(opts).Elem()
	var names []string
	for name, want := range map[string]any{"IO": f.IO, "Factory": f} {
		field := v.FieldByName(name)
		if !field.IsValid() {
			continue
		}
		names = append(names, name)
		if got := field.Interface(); got != want {
			t.Errorf("options' %s is %p, want the factory's %p", name, got, want)
		}
	}
	return names
}
