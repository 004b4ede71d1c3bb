package org.sdti.jobs.runtime;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A Hadoop {@link Configuration} that travels to executors inside task closures: the driver's settings (Spark's
 * spark.hadoop.*, the cluster's *-site.xml and the job's {@code sdti.hadoop}) are what executors use to read images
 * and model weights. Configuration is Writable, not Serializable; this carries it as its Writable form.
 */
public final class HadoopConf implements Serializable {
    private static final long serialVersionUID = 1L;

    private transient Configuration conf;

    private HadoopConf(Configuration conf) {
        this.conf = conf;
    }

    /** A copy of {@code base} with {@code settings} applied on top. */
    public static HadoopConf of(Configuration base, Map<String, String> settings) {
        Configuration c = new Configuration(base);
        settings.forEach(c::set);
        return new HadoopConf(c);
    }

    /** The configuration; callers must not change it (it is shared by the tasks of an executor). */
    public Configuration get() {
        return conf;
    }

    public FileSystem fileSystem(Path path) throws IOException {
        return path.getFileSystem(conf);
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        conf.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        conf = new Configuration(false);
        conf.readFields(in);
    }
}
