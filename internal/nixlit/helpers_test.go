package nixlit

import "context"

// Bindings parses src and lists its bindings as File.Bindings does.
func Bindings(ctx context.Context, src []byte, want func(name string) bool) ([]Found, error) {
	f, err := Parse(ctx, src)
	if err != nil {
		return nil, err
	}
	return f.Bindings(ctx, want)
}

// Locate parses src and finds attrPath in it as File.Locate does.
func Locate(src []byte, attrPath string, line int) (*Binding, error) {
	f, err := Parse(context.Background(), src)
	if err != nil {
		return nil, err
	}
	return f.Locate(attrPath, line)
}
