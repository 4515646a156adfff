export { type RedisServer, type RedisServerOptions, redisForTests, startRedisServer } from './redis-server.js';
export { type RedisCluster, type RedisClusterNode, type RedisClusterOptions, type RedisClusterShard, startRedisCluster } from './redis-cluster.js';
export { type RedisSentinelOptions, type RedisSentinelServer, type RedisSentinelSetup, startRedisSentinel } from './redis-sentinel.js';
export { freePort } from './free-port.js';
export { type RabbitMqServer, type RabbitMqServerOptions, startRabbitMqServer } from './rabbitmq-server.js';
export { type CeleryUrls, type CeleryWorker, type CeleryWorkerOptions, PYTHON, PYTHON_REFUSALS, runCeleryClient, startCeleryWorker } from './python-celery.js';
export { type NodeProcess, startNodeProcess } from './node-process.js';
