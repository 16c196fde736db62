# The app image for docker-compose. Node 24 comes from the node devDependency like everywhere else.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV HTTP_HOST=0.0.0.0
EXPOSE 3000
CMD ["npm", "start"]
