export { type RedisServer, type RedisServerOptions, redisForTests, startRedisServer } from './redis-server.js';
export { freePort } from './free-port.js';
export { type RabbitMqServer, type RabbitMqServerOptions, startRabbitMqServer } from './rabbitmq-server.js';
export { type CeleryUrls, type CeleryWorker, type CeleryWorkerOptions, PYTHON, runCeleryClient, startCeleryWorker } from './python-celery.js';
