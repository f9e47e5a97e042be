package main

import (
	"io"

	"github.com/urfave/cli/v2"
)

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: `Prints a script that completes gochalice's commands and flags. Install it with
  bash: echo 'source <(gochalice completion bash)' >> ~/.bashrc
  zsh:  echo 'source <(gochalice completion zsh)' >> ~/.zshrc
  fish: gochalice completion fish > ~/.config/fish/completions/gochalice.fish`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef(c, "completion takes one argument, the shell: bash, zsh or fish")
			}
			return writeCompletion(c, c.App.Writer, c.Args().First())
		},
	}
}

func writeCompletion(c *cli.Context, w io.Writer, shell string) error {
	switch shell {
	case "bash":
		_, err := io.WriteString(w, bashCompletion)
		return err
	case "zsh":
		_, err := io.WriteString(w, zshCompletion)
		return err
	case "fish":
		_, err := io.WriteString(w, fishCompletion)
		return err
	}
	return usagef(c, "no completion script for %q: use bash, zsh or fish", shell)
}

// The scripts ask gochalice itself what fits the words typed
// so far (urfave/cli's --generate-bash-completion), so they follow the
// installed version's commands and flags.
const bashCompletion = `# bash completion for gochalice: source <(gochalice completion bash)
_gochalice_complete() {
  local cur="${COMP_WORDS[COMP_CWORD]}" words
  if [[ "$cur" == -* ]]; then
    words=$("${COMP_WORDS[@]:0:COMP_CWORD}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    words=$("${COMP_WORDS[@]:0:COMP_CWORD}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o bashdefault -o default -F _gochalice_complete gochalice
`

const zshCompletion = `#compdef gochalice
# zsh completion for gochalice: source <(gochalice completion zsh)
_gochalice() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == -* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ -n "${opts[1]}" ]]; then
    _describe 'gochalice' opts
  else
    _files
  fi
}
if (( $+functions[compdef] )); then
  compdef _gochalice gochalice
fi
`

const fishCompletion = `# fish completion for gochalice:
#   gochalice completion fish > ~/.config/fish/completions/gochalice.fish
function __gochalice_complete
    set -l args (commandline -opc)
    set -l cur (commandline -ct)
    if string match -q -- '-*' $cur
        $args $cur --generate-bash-completion 2>/dev/null
    else
        $args --generate-bash-completion 2>/dev/null
    end
end
complete -c gochalice -f -a '(__gochalice_complete)'
`
