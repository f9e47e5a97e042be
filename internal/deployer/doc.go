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

// Deploying is a pipeline of plain values and the I/O between them:
//
//	LoadProject   build + manifest + resolved settings      (*Project)
//	BuildDesired  roles, functions, mappings, REST API ...  (*Desired, pure)
//	Refresh       what exists in AWS, recorded or adopted   (*State, reads only)
//	PlanChanges   desired vs existing                       (*Plan, pure)
//	Apply         the plan, in dependency order, parallel   (*State, recorded after every step)
//
// PlanProject strings the middle three together. A delete is Apply of
// PlanDestroy. Every AWS service is reached through the small interfaces of
// aws.go; package fakeaws implements them in memory for tests.
//
// Names are deterministic so that an interrupted deploy is finished, never
// duplicated, by the next one: functions and roles are "<app>-<stage>" (the
// API handler) and "<app>-<stage>-<function>", one role per function
// whether its policy comes from a file or is generated; event source
// mappings are found by function and stream; the REST API by its name and
// a description that names the app and stage; the API's invoke permission
// by a fixed statement id.
