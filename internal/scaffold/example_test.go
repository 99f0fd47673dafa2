package scaffold_test

import (
	"fmt"

	"sandbox/internal/scaffold"
)

// A task name becomes a task id, a package and a Go type.
func ExampleNamesOf() {
	n, err := scaffold.NamesOf("two-link-pusher")
	fmt.Println(n.ID, n.Package, n.Type, err)
	_, err = scaffold.NamesOf("Pusher")
	fmt.Println(err != nil)
	// Output:
	// two-link-pusher twolinkpusher TwoLinkPusher <nil>
	// true
}
