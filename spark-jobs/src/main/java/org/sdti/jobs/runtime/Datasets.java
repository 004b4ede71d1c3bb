package org.sdti.jobs.runtime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Reading what stages committed: only the partitions of concepts whose commit marker exists. */
public final class Datasets {
    private Datasets() {}

    /**
     * The rows of {@code dataset} for those of {@code concepts} that {@code stage} has committed (an empty
     * dataset when none has). The schema is given, so partition values stay strings.
     */
    public static Dataset<Row> committed(SparkSession spark, OutputLayout layout, String stage, String dataset,
                                         StructType schema, Collection<String> concepts) throws IOException {
        Commits commits = new Commits(layout, stage);
        List<String> paths = new ArrayList<>();
        for (String c : concepts) {
            if (commits.read(c).isPresent()) {
                paths.add(layout.partition(dataset, c).toString());
            }
        }
        return read(spark, layout, dataset, schema, paths);
    }

    /** The given partition folders of {@code dataset} (the {@code concept} column comes from their names). */
    public static Dataset<Row> read(SparkSession spark, OutputLayout layout, String dataset, StructType schema,
                                    List<String> partitions) {
        if (partitions.isEmpty()) {
            return spark.createDataFrame(List.of(), schema);
        }
        return spark.read().schema(schema).option("basePath", layout.dataset(dataset).toString())
                .parquet(partitions.toArray(String[]::new));
    }
}
