// Package manifest defines the JSON document an app built with gochalice
// prints when it is asked what it contains: its name, its routes and its
// Lambda functions with their event sources.
//
// The manifest is the contract between the app library (package app), which
// writes it, and the tools that read it (the deployer, the policy
// generator, gochalice local). A user's binary prints it when the
// environment variable named by EnvManifest is set; the deployer never
// guesses what an app contains.
//
// The document is versioned by SchemaVersion. Readers must reject a
// version they do not know (Parse does). Field names are snake_case, like
// Chalice's own config and deployed-state files. Output is deterministic:
// routes and functions are sorted, so a manifest can be golden-tested and
// diffed.
//
// Example (examples/savealife, abridged):
//
//	{
//	  "schema_version": 1,
//	  "app_name": "savealife",
//	  "binary_types": ["application/octet-stream", ...],
//	  "routes": [
//	    {
//	      "pattern": "GET /donors/{id}",
//	      "method": "GET",
//	      "path": "/donors/{id}",
//	      "handler": {"name": "main.getDonor", "file": "...", "line": 42},
//	      "content_types": ["application/json"]
//	    }
//	  ],
//	  "functions": [
//	    {"name": "api_handler", "kind": "api"},
//	    {
//	      "name": "handle_stream",
//	      "kind": "dynamodb_stream",
//	      "handler": {"name": "main.handleStream", ...},
//	      "dynamodb_stream": {
//	        "stream": "arn:aws:dynamodb:...:table/donors/stream/...",
//	        "batch_size": 100,
//	        "starting_position": "LATEST",
//	        "maximum_batching_window_in_seconds": 0,
//	        "report_batch_item_failures": true
//	      }
//	    }
//	  ]
//	}
package manifest
