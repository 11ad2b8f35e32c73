// Package migrations holds the schema as numbered SQL files, embedded in the
// binary and applied in order by postgres.Migrate.
package migrations

import "embed"

//go:embed *.sql
var FS embed.FS
