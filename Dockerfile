# Pickle in a container: Node 20, `npm ci`, `npm start` (Node runs the TypeScript directly through the tsx loader).
# Data (settings, logs, memory journal, downloaded models) lives in the /data volume.
# Ollama and ChromaDB run as their own services: see docker-compose.yml.
FROM node:20-slim

# espeak-ng: Pickle's local voice when there is no DEEPGRAM_API_KEY (captions work without it).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates espeak-ng \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. .npmrc skips onnxruntime's GPU download.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY machines ./machines
COPY src ./src
COPY overlay ./overlay
COPY personas ./personas
COPY plugins ./plugins

# Inside the container Pickle listens on every interface; docker-compose.yml publishes the port on
# 127.0.0.1 only. (A non-loopback bind puts Pickle in token mode: the access token is in the logs.)
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    PICKLE_DATA_DIR=/data

RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8000

CMD ["npm", "start"]
