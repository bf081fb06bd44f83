# jitbot: docker build -t jitbot . && docker run -p 3000:3000 --env-file .env -v jitbot-data:/app/data -v ./policy.yaml:/app/policy.yaml:ro jitbot
# Three stages: production dependencies (better-sqlite3 compiles here), the TypeScript build,
# and a slim runtime image that runs as the unprivileged `node` user.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM deps AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_PATH=/app/data/jitbot.sqlite \
    POLICY_PATH=/app/policy.yaml
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json manifest.yml manifest.socket-mode.yml policy.example.yaml ./
COPY bin ./bin
COPY migrations ./migrations
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# 200 when the database and Redis answer; the port is the one jitbot listens on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The database is created and migrated at start; SIGTERM shuts down gracefully.
CMD ["node", "--max-old-space-size=1024", "dist/main.js"]
