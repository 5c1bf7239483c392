#!/bin/sh
# A stand-in for a deploy script that prints more than it should.
echo "deploying to $DEPLOY_TARGET ($1)"
echo "using key $DEMO_API_KEY"
printf 'key as base64: %s\n' "$(printf '%s' "$DEMO_API_KEY" | base64)"
echo "the process sees only: $(env | cut -d= -f1 | sort | tr '\n' ' ')"
