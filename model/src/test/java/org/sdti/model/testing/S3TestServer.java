package org.sdti.model.testing;

import java.net.URI;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3-protocol server (s3proxy over an in-memory blob store) on loopback, for {@code s3a://} tests.
 * Each instance has its own port and one bucket.
 */
public final class S3TestServer implements AutoCloseable {
    public static final String ACCESS_KEY = "sdti-test-access";
    public static final String SECRET_KEY = "sdti-test-secret";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final String bucket;

    public S3TestServer(String bucket) throws Exception {
        this.bucket = bucket;
        Properties props = new Properties();
        this.context = ContextBuilder.newBuilder("transient")
                .credentials("identity", "credential")
                .overrides(props)
                .build(BlobStoreContext.class);
        BlobStore store = context.getBlobStore();
        store.createContainerInLocation(null, bucket);
        this.proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(20);
        }
    }

    public String bucket() {
        return bucket;
    }

    public String uri(String key) {
        return "s3a://" + bucket + "/" + key;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** The s3a settings a client needs to reach this server (also usable as Spark's spark.hadoop.* keys). */
    public Configuration hadoopConf() {
        Configuration conf = new Configuration();
        settings().forEach(conf::set);
        return conf;
    }

    public java.util.Map<String, String> settings() {
        return java.util.Map.of(
                "fs.s3a.endpoint", endpoint(),
                "fs.s3a.endpoint.region", "us-east-1",
                "fs.s3a.path.style.access", "true",
                "fs.s3a.connection.ssl.enabled", "false",
                "fs.s3a.access.key", ACCESS_KEY,
                "fs.s3a.secret.key", SECRET_KEY,
                "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
                "fs.s3a.impl.disable.cache", "true",
                "fs.s3a.attempts.maximum", "2",
                "fs.s3a.retry.limit", "2");
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
