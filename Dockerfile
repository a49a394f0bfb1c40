# peerlab's command-line image: `peerlab run`, `sweep` (one shard per task on a cluster, and the merge),
# `compare`, `bench` and `signal` (the signaling server live peers on several machines meet at).
# The dashboard (`peerlab serve`, Electron) is not in it.
#
#   docker build -t peerlab .
#   docker run --rm -v "$PWD/runs:/runs" peerlab run resources/scenarios/gossip-small.yaml --out /runs/small
#   docker run --rm -p 4444:4444 peerlab signal --host 0.0.0.0 --port 4444
#
# test/lab/image.test.ts replays these steps without Docker (COPY, RUN, ENTRYPOINT into a folder, npm
# offline from the local cache) and runs the result, so what the image holds is checked on every test run.
FROM node:20-bookworm-slim

WORKDIR /opt/peerlab
ENV NODE_ENV=production

# production dependencies only; tsx is one of them: the CLI runs its TypeScript sources directly.
# npm's download cache stays in a build cache mount (BuildKit), out of the image.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY resources ./resources

# the sources stay root's and read-only; results go to a mounted volume, tsx's cache to /tmp
USER node
ENTRYPOINT ["node", "/opt/peerlab/bin/peerlab.mjs"]
CMD ["--help"]
