package org.sdti.dataprep;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;

/**
 * A fresh ImageIO reader per format (readers keep state, so one per decode). The TwelveMonkeys readers are
 * registered here by class rather than found through {@code META-INF/services}: the JVM-wide registry scans only the
 * class loader that first touched it, which under Spark or a shaded jar need not be ours.
 */
final class Codecs {
    private Codecs() {
    }

    static ImageReader reader(ImageFormat format) throws IOException {
        return switch (format) {
            case JPEG -> spi(JPEGImageReaderSpi.class).createReaderInstance();   // CMYK/YCCK, ICC, broken files
            case WEBP -> spi(WebPImageReaderSpi.class).createReaderInstance();   // the JDK has no WebP reader
            case PNG -> jdk("png");
            case GIF -> jdk("gif");
            case BMP -> jdk("bmp");
        };
    }

    private static ImageReader jdk(String name) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(name);
        if (!readers.hasNext()) {
            throw new IllegalStateException("no ImageIO reader for " + name);
        }
        return readers.next();
    }

    /** The registered provider of that class, registering it first (its onRegistration finds the JDK delegate). */
    private static synchronized <T extends ImageReaderSpi> T spi(Class<T> type) {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        T spi = registry.getServiceProviderByClass(type);
        if (spi == null) {
            try {
                registry.registerServiceProvider(type.getConstructor().newInstance());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create " + type.getName(), e);
            }
            spi = registry.getServiceProviderByClass(type);
        }
        return spi;
    }
}
