// Package deployer turns a gochalice project into what runs on AWS: it
// works out the desired state of an app stage, plans it against what
// exists, applies the plan, records what it made, and writes the same
// desired state as a SAM or Terraform template.
package deployer

// Deploying is a pipeline of plain values and the I/O between them:
//
//	LoadProject   build + manifest + resolved settings      (*Project; internal/build)
//	BuildDesired  roles, functions, mappings, REST API ...  (*Desired, pure)
//	Refresh       what exists in AWS, recorded or adopted   (*State, reads only)
//	PlanChanges   desired vs existing                       (*Plan, pure)
//	Apply         the plan, in dependency order, parallel   (*State, recorded after every step; internal/state)
//
// PlanProject strings the middle three together. A delete is Apply of
// PlanDestroy. Every AWS service is reached through the small interfaces of
// aws.go; internal/fakeaws implements them in memory for tests.
//
// Each resource type is a kind (kinds.go), one file each (kind_*.go):
// apply, delete, read, the attributes plans compare, its CloudFormation
// and Terraform forms, and the IAM actions DeployerPolicy grants for it.
// Refresh, PlanChanges, Apply, the templates and DeployerPolicy are loops
// over kinds.
//
// Names are deterministic (internal/names) so that an interrupted deploy
// is finished, never duplicated, by the next one: functions and roles are
// "<app>-<stage>" (the API handler) and "<app>-<stage>-<function>", one
// role per function whether its policy comes from a file or is generated;
// event source mappings are found by function and stream; the REST API by
// its name and a description that names the app and stage; the API's
// invoke permission by a fixed statement id. ARNs are internal/arn's, what
// every execution role needs besides its code's calls internal/execrole's.
