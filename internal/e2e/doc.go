// Package e2e holds gochalice's end-to-end tests: the real CLI, built from
// this checkout, deploys, redeploys and deletes the examples against moto
// (../shared/moto, an AWS emulator the tests start on 127.0.0.1), through a
// proxy that counts mutating calls, loses the answers of create calls and
// kills a deploy part-way. The tests assert on what exists in moto
// afterwards: exactly a clean deploy's resources, or nothing.
package e2e
