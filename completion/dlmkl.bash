# bash completion for dlmkl: subcommands, options, and the heads of distribution, closed-form and
# schedule specs. Installed by `meson install` as share/bash-completion/completions/dlmkl; by hand:
#   source completion/dlmkl.bash

_dlmkl()
{
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="info profile kl sample sweep worst bench help"
    local common="--output --unit --normalize --max-memory --threads --help --version -V"
    local dists="table: product: markov: ising: ising2d: cw: copy: parity: mixture: mixprod: perm: random: mds: rs:"
    local closed="copy: parity: product: mds: rs: perm: markov:"
    local scheds="sizes: balanced linear cosine poly:a= chen-tc chen-tc:zeta= chen-dtc chen-dtc:zeta= optimal
                  iid:linear iid:cosine iid:poly:a= iid:pi= random-tc random-dtc composition powerlaw:a=
                  mix: twin: minimax-tc minimax-dtc minimax-both law:"

    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands --help --version -V" -- "$cur"))
        return
    fi
    cmd=${COMP_WORDS[1]}

    # a value after an option
    case $prev in
    --dist|-d)
        compopt -o nospace 2>/dev/null
        if [[ $cur == table:* ]]; then
            COMPREPLY=($(compgen -f -P table: -- "${cur#table:}"))
        else
            COMPREPLY=($(compgen -W "$dists" -- "$cur"))
        fi
        return ;;
    --profile)
        compopt -o nospace 2>/dev/null
        COMPREPLY=($(compgen -W "$closed" -- "$cur") $(compgen -f -- "$cur"))
        return ;;
    --schedule)
        compopt -o nospace 2>/dev/null
        if [[ $cur == law:* ]]; then
            COMPREPLY=($(compgen -f -P law: -- "${cur#law:}"))
        else
            COMPREPLY=($(compgen -W "$scheds" -- "$cur"))
        fi
        return ;;
    --positions) COMPREPLY=($(compgen -W "random l2r stride stride: confidence confidence:by= threshold:tau= eb:gamma= entsum:eps=" -- "$cur")); return ;;
    --predictor) COMPREPLY=($(compgen -W "exact temp: topk: topp: mix:" -- "$cur")); return ;;
    --unit) COMPREPLY=($(compgen -W "bits nats" -- "$cur")); return ;;
    --output-law) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --format)
        if [ "$cmd" = sample ]; then
            COMPREPLY=($(compgen -W "law samples" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "csv table" -- "$cur"))
        fi
        return ;;
    --infeasible) COMPREPLY=($(compgen -W "error skip" -- "$cur")); return ;;
    --suite) COMPREPLY=($(compgen -W "profile kl-expected kl-output" -- "$cur")); return ;;
    --output|-o|--out-dir) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --K|--L|--n|--seed|--threads|--max-memory|--name|--set|--digits) return ;;
    esac

    local opts
    case $cmd in
    info|profile) opts="--dist --profile --format --digits --quiet" ;;
    kl) opts="--dist --profile --schedule --K --positions --predictor --output-law --seed --format --digits --quiet" ;;
    sample) opts="--dist --schedule --K --n --seed --positions --predictor --format --output-law --digits --quiet" ;;
    sweep) opts="--out-dir --resume --force --quick --dry-run --quiet --name --dist --profile --L --K --schedule --positions
                 --set --output-law --infeasible" ;;
    worst) opts="--schedule --L --K --format --digits --quiet" ;;
    bench) opts="--suite --full" ;;
    help) COMPREPLY=($(compgen -W "specs schedules adaptive config info profile kl sample sweep worst bench" -- "$cur")); return ;;
    *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
    elif [ "$cmd" = sweep ]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -F _dlmkl dlmkl
