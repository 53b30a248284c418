package cli

import (
	"encoding/json"
)

// printJSON prints v as the local API answers it: its field names are
// the apitype contract, stable for scripts.
func printJSON(c *Context, v any) error {
	enc := json.NewEncoder(c.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
