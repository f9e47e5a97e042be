// Package deployer turns a gochalice project into what runs on AWS: it
// builds the app, takes its manifest, and (as it grows) works out the
// desired state, plans it against what exists and applies the plan.
//
// This file set starts with the build: the user's main package built for
// the host (for gochalice local and for taking the manifest) and the
// manifest taken by running that build with GOCHALICE_MANIFEST set and the
// stage's environment variables, so that registration code that reads
// os.Getenv sees the values it will see on Lambda.
package deployer
