package org.sdti.model.schedulers;

import org.sdti.model.config.SchedulerConfig;

/** What the U-Net predicts ({@code prediction_type}); SchedulerConfig has already rejected other values. */
public enum Prediction {
    EPSILON("epsilon"),
    V_PREDICTION("v_prediction"),
    SAMPLE("sample");

    private final String key;

    Prediction(String key) {
        this.key = key;
    }

    public String configValue() {
        return key;
    }

    public static Prediction of(SchedulerConfig cfg) {
        for (Prediction p : values()) {
            if (p.key.equals(cfg.predictionType())) {
                return p;
            }
        }
        throw new IllegalArgumentException("prediction_type " + cfg.predictionType());
    }
}
