// Package stages reads a project's .chalice/config.json — Chalice's
// configuration file, schema version 2.0, unchanged — checks it strictly,
// and resolves the settings of each (stage, function) pair, recording for
// every value the level of the file it came from.
//
// A Chalice user's .chalice folder works as it is. Where Chalice is lax,
// this package is strict, and it reports every problem of a run at once,
// each naming the file, the key path, what is wrong and how to fix it:
//
//	.chalice/config.json: stages.dev.lambda_functions.handle_stream.lambda_timeout: 1200 is out of range; Lambda allows 1 to 900 seconds
//	.chalice/config.json: stages.dev.enviroment_variables: unknown key; did you mean "environment_variables"?
//
// # Levels and precedence
//
// A value may be written at four levels. The most specific one wins:
//
//  1. stages.<stage>.lambda_functions.<function> (LevelStageFunction)
//  2. stages.<stage> (LevelStage)
//  3. lambda_functions.<function> at the top level (LevelTopFunction)
//  4. the top level (LevelTop)
//  5. the default (LevelDefault): lambda_memory_size 128, lambda_timeout
//     60, autogen_policy true, manage_iam_role true, api_gateway_stage
//     "api", api_gateway_type "REST", api_gateway_endpoint_type "EDGE"
//     ("REGIONAL" for an HTTP API), xray false, lambda_architecture
//     "arm64".
//
// environment_variables and tags are merged key by key in the same order:
// a key written at a more specific level replaces the same key from a less
// specific one, and keys from all levels are kept.
//
// Chalice's own merge (Config._chain_merge) skips level 3: it silently
// ignores environment_variables and tags written under a top-level
// lambda_functions entry, while it honours every other key there. That is
// the confusion of aws/chalice#1602, and this package deliberately does
// not copy it: top-level lambda_functions.<fn>.environment_variables and
// .tags take part in the merge at their place in the order above, exactly
// like the scalar keys. A Chalice config that relied on those values being
// ignored resolves differently; gochalice config show makes the
// difference visible.
//
// Keys that configure a whole stage — api_gateway_stage,
// api_gateway_type, api_gateway_endpoint_type, api_gateway_endpoint_vpce,
// api_gateway_policy_file, api_gateway_custom_domain,
// websocket_api_custom_domain, minimum_compression_size, automatic_layer,
// and gochalice's lambda_architecture and region (one binary per stage,
// one region per stage) — are read from levels 2 and 4 only; written under
// lambda_functions they are an error. app_name, version and stages are
// top-level only.
//
// # Policies
//
// As in Chalice's app graph: with manage_iam_role false the function runs
// as iam_role_arn (required) and no policy applies. Otherwise, with
// autogen_policy true (the default) the policy is generated from the code,
// and an iam_policy_file set next to it adds its statements to the
// generated ones (the union; Chalice makes you choose, aws/chalice#1198);
// with autogen_policy false it is read
// from iam_policy_file, relative to .chalice/, or from
// .chalice/policy-<stage>.json when iam_policy_file is not set. Load reads
// and checks every policy file any stage needs, so Resolve does no I/O.
//
// # Additions and omissions
//
// gochalice adds three stage-wide keys: lambda_architecture ("arm64", the
// default, or "x86_64"), region, and api_gateway_type: "REST" (the
// default, Chalice's REST API) or "HTTP" for an API Gateway HTTP API
// (v2), which is regional and public and has no resource policy, so with
// it an explicit EDGE or PRIVATE api_gateway_endpoint_type,
// api_gateway_endpoint_vpce and api_gateway_policy_file are errors. automatic_layer is read, type-checked
// and ignored with a warning: it packages Python dependencies, and a
// gochalice function is one static Go binary.
//
// Resolve refuses a stage that config.json does not list, where Chalice
// would deploy it with the top-level settings: a mistyped --stage should
// not create a new set of AWS resources.
package stages
